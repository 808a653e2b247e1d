// The migralint extension: starts `migralint lsp` and connects it to the
// editor. Everything else (diagnostics, hover, quick fixes, watching
// migralint.toml) is the server's.
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';

import { serverCommand } from './server';

let client: LanguageClient | undefined;

function settings() {
  const c = vscode.workspace.getConfiguration('migralint');
  return { path: c.get<string>('path', 'migralint'), config: c.get<string>('config', '') };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const { command, args } = serverCommand(settings(), workspace);
  const serverOptions: ServerOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args, transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = {
    // Every SQL file on disk; the server lints those in a migrations
    // directory and leaves the others alone.
    documentSelector: [
      { scheme: 'file', language: 'sql' },
      { scheme: 'file', pattern: '**/*.sql' },
    ],
  };
  client = new LanguageClient('migralint', 'migralint', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    client = undefined;
    const message = e instanceof Error ? e.message : String(e);
    void vscode.window.showErrorMessage(
      `migralint: cannot start \`${command} ${args.join(' ')}\` (${message}). Install migralint ` +
        '(`cargo install --path crates/migralint-cli`) or set `migralint.path`.',
    );
  }
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  const old = client;
  client = undefined;
  if (old) {
    await old.stop();
  }
  await start(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand('migralint.restart', () => restart(context)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('migralint.path') || e.affectsConfiguration('migralint.config')) {
        void restart(context);
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  if (client) {
    await client.stop();
    client = undefined;
  }
}

// How the extension starts the server: pure functions over the settings,
// kept apart from the `vscode` API so they can be unit-tested in Node.
import * as os from 'os';
import * as path from 'path';

export interface Settings {
  /** `migralint.path`: a command name, an absolute path, or a path relative to the workspace. */
  path: string;
  /** `migralint.config`: a migralint.toml for every file, or empty. */
  config: string;
}

export interface ServerCommand {
  command: string;
  args: string[];
}

/** Expands `~` and resolves a relative path (one with a separator) against `base`. */
export function resolvePath(p: string, base: string | undefined, home: string = os.homedir()): string {
  let out = p.trim();
  if (out === '~' || out.startsWith('~/') || out.startsWith('~\\')) {
    out = path.join(home, out.slice(1));
  }
  const hasSeparator = out.includes('/') || out.includes('\\');
  if (hasSeparator && !path.isAbsolute(out) && base) {
    out = path.resolve(base, out);
  }
  return out;
}

/**
 * `migralint [--config FILE] lsp`. A bare name (no separator) is left for
 * the operating system to find on PATH.
 */
export function serverCommand(settings: Settings, workspace: string | undefined, home?: string): ServerCommand {
  const command = resolvePath(settings.path || 'migralint', workspace, home) || 'migralint';
  const args: string[] = [];
  if (settings.config.trim() !== '') {
    args.push('--config', resolvePath(settings.config, workspace, home));
  }
  args.push('lsp');
  return { command, args };
}

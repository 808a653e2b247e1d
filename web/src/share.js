// The whole playground state in a URL fragment: `#v1.` + base64url of the
// raw-DEFLATE-compressed JSON state (CompressionStream, built into browsers
// and Node 18+), or `#j1.` + base64url of the plain JSON where
// CompressionStream is missing. Nothing leaves the browser: a fragment is
// never sent to the server.

const te = new TextEncoder();
const td = new TextDecoder();

function toBase64Url(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const s = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function pipe(bytes, stream) {
  const body = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Keeps only the known fields of a state, with their types checked, so a
 *  hand-edited or truncated link cannot put the page in a broken state. */
export function sanitizeState(raw) {
  if (!raw || typeof raw !== 'object') throw new Error('not a playground state');
  const files = Array.isArray(raw.files)
    ? raw.files
        .filter((f) => f && typeof f.name === 'string' && typeof f.text === 'string')
        .map((f) => ({ name: f.name.slice(0, 300), text: f.text }))
    : [];
  if (!files.length) throw new Error('the link holds no file');
  const rules = {};
  if (raw.rules && typeof raw.rules === 'object') {
    for (const [name, v] of Object.entries(raw.rules)) {
      if (v === 'on' || v === 'off') rules[name] = v;
    }
  }
  const pg = Number.isInteger(raw.pg) && raw.pg >= 9 && raw.pg <= 30 ? raw.pg : null;
  const active = Number.isInteger(raw.active) && raw.active >= 0 && raw.active < files.length ? raw.active : 0;
  return { files, active, pg, rules, multiStatement: raw.multiStatement === true };
}

/** Encodes a state as a URL fragment (without the `#`). */
export async function encodeState(state) {
  const json = te.encode(JSON.stringify(sanitizeState(state)));
  if (typeof CompressionStream === 'function') {
    return 'v1.' + toBase64Url(await pipe(json, new CompressionStream('deflate-raw')));
  }
  return 'j1.' + toBase64Url(json);
}

/** Decodes a URL fragment (with or without the `#`); throws when it is not
 *  a playground state. */
export async function decodeState(fragment) {
  const f = fragment.replace(/^#/, '');
  let json;
  if (f.startsWith('v1.')) {
    if (typeof DecompressionStream !== 'function') {
      throw new Error('this browser cannot decompress share links');
    }
    json = await pipe(fromBase64Url(f.slice(3)), new DecompressionStream('deflate-raw'));
  } else if (f.startsWith('j1.')) {
    json = fromBase64Url(f.slice(3));
  } else {
    throw new Error('not a playground link');
  }
  return sanitizeState(JSON.parse(td.decode(json)));
}

// The state in the URL fragment and in localStorage, saved as it changes;
// a fragment changed by hand (or by the back button) is loaded; the Share
// dialog copies the link.
import { store } from './app-store.js';
import { el } from './dom.js';
import { currentState, loadState } from './session.js';
import { decodeState, encodeState } from './share.js';
import { STORAGE_KEY } from './state.js';

const PERSIST_DEBOUNCE_MS = 400;
let timer = 0;

export async function persistState() {
  const fragment = await encodeState(currentState());
  history.replaceState(null, '', `${location.pathname}${location.search}#${fragment}`);
  try {
    localStorage.setItem(STORAGE_KEY, fragment);
  } catch {
    /* storage full or disabled: the URL still holds the state */
  }
  return fragment;
}

async function copyShareUrl() {
  try {
    await navigator.clipboard.writeText(el.shareUrl.value);
    el.shareNote.textContent = `Copied to the clipboard (${el.shareUrl.value.length} characters).`;
  } catch {
    el.shareUrl.select();
    el.shareNote.textContent = 'Press Ctrl+C (⌘C) to copy the selected link.';
  }
}

export function initShareLink() {
  store.subscribe((state, prev, action) => {
    if (state.inputs === prev.inputs || action.persist === false) return;
    clearTimeout(timer);
    timer = setTimeout(persistState, PERSIST_DEBOUNCE_MS);
  });
  window.addEventListener('hashchange', async () => {
    if (!store.getState().files.length || location.hash.length <= 1) return;
    try {
      const state = await decodeState(location.hash);
      if (JSON.stringify(state) !== JSON.stringify(currentState())) loadState(state, { persist: true });
    } catch (e) {
      console.warn('ignoring the URL fragment:', e);
    }
  });
  el.shareButton.addEventListener('click', async () => {
    await persistState();
    el.shareUrl.value = location.href;
    el.shareNote.textContent = '';
    el.shareDialog.showModal();
    el.shareUrl.focus();
    el.shareUrl.select();
    await copyShareUrl();
  });
  el.shareCopy.addEventListener('click', copyShareUrl);
}

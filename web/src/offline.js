// The service worker (sw.js): once loaded, the page works offline.
import { el } from './dom.js';

export async function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) {
    el.statusOffline.textContent = '';
    return;
  }
  try {
    await navigator.serviceWorker.register('./sw.js');
    await navigator.serviceWorker.ready;
    el.statusOffline.textContent = 'Works offline';
    el.statusOffline.dataset.ready = 'true';
  } catch (e) {
    el.statusOffline.textContent = '';
    console.warn('no offline support:', e);
  }
}

// Light, dark, or the system's (remembered in localStorage; index.html
// applies it before the first paint).
import { el } from './dom.js';

const THEME_KEY = 'migralint-theme';

function themePref() {
  try {
    return localStorage.getItem(THEME_KEY) || 'auto';
  } catch {
    return 'auto';
  }
}

function applyTheme() {
  const pref = themePref();
  const dark = pref === 'dark' || (pref === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
  const label = { auto: 'Auto', light: 'Light', dark: 'Dark' }[pref];
  el.themeLabel.textContent = label;
  el.themeIcon.textContent = { auto: '◐', light: '☀', dark: '☾' }[pref];
  el.themeButton.setAttribute('aria-label', `Theme: ${label}${pref === 'auto' ? ` (${dark ? 'dark' : 'light'})` : ''}`);
}

export function initTheme() {
  el.themeButton.addEventListener('click', () => {
    const next = { auto: 'light', light: 'dark', dark: 'auto' }[themePref()];
    try {
      localStorage.setItem(THEME_KEY, next);
    } catch {
      /* private mode: the theme lasts until reload */
    }
    applyTheme();
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', applyTheme);
  applyTheme();
}

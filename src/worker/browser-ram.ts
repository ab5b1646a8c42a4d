/** Largest simulated RAM the browser build accepts: 2 GiB (browser-limits.ts says why). */
export const BROWSER_MAX_RAM = 2 * 2 ** 30;

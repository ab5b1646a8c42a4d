/**
 * What the page says about an engine failure, in plain words: pure, so tests/ui checks it.
 * The user sees these in the engine notices and the console; an internal class name
 * ("EngineLostError") or the browser's "Uncaught Error:" prefix tells them nothing.
 */

/**
 * A worker `error` event's message without the browser's wrapping: Chromium reports an
 * exception thrown in a worker as "Uncaught Error: …", Firefox as "Error: …"; what was
 * thrown says the rest.
 */
export function plainWorkerError(message: string): string {
  const text = message
    .trim()
    .replace(/^Uncaught\s+/, '')
    .replace(/^(?:[A-Z][A-Za-z]*)?(?:Error|Exception):\s*/, '')
    .trim();
  return text || 'unknown error';
}

/** The console line when the worker failed while the page opened its first script (`reason` from the engine status). */
export function openingAgain(reason: string): string {
  return `while the page was opening its first script, ${reason}; the engine was restarted and the script is opened again`;
}

/** The console line when the page could not open its first script at all. */
export function bootFailure(e: unknown, engineLost: boolean): string {
  const why = e instanceof Error ? e.message : String(e);
  return engineLost
    ? `the page could not open its first script: ${why}, again after restarting the engine. Reload the page to try again.`
    : `the engine did not start: ${why}`;
}

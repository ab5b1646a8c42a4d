/**
 * Robustness of the session, hooked into the app in two places (src/App.tsx): `installRobustness()`
 * once at boot (engine-failure and OOM notices) and `resumeSession()` before the first scenario
 * loads (src/ui/persist/session.ts). The test API's extra calls are `robustnessTestApi()`.
 */
import { crashWorkerForTest, engineHealth, onEngineStatus, setWatchdogForTest, type EngineStatus } from '../engine-client';
import { whenIdle } from '../actions';
import { count } from '../format';
import { dismissKind, notify } from './notices';
import { quietOom, watchOom } from './oom';
import { readSession, saveNow, startFresh } from './session';

export { resumeSession, startFresh } from './session';
export { NoticeDock, Notices, SessionBar } from './Notices';

let installed = false;

/** What the rebuild does with the script: at step 0 (at boot, say) there is nothing to replay. */
function rebuiltTo(position: number): string {
  return position > 0 ? `replayed to step ${count(position)}` : 'reloaded at its start';
}

function onStatus(s: EngineStatus, release: { done: (() => void) | null }): void {
  if (s.state === 'restarting') {
    dismissKind('engine');
    notify({
      kind: 'engine',
      urgent: true,
      title: 'The simulation engine stopped',
      text: `Cause: ${s.reason}. It is being restarted, and your script ${rebuiltTo(s.position)}. Your script and position are kept.`,
    });
    // Kills replayed while rebuilding are not news.
    if (!release.done) void quietOom(new Promise<void>((r) => (release.done = r)));
  } else if (s.state === 'recovered') {
    dismissKind('engine');
    const secs = (s.ms / 1000).toFixed(1);
    notify({
      kind: 'engine',
      title: s.replayed ? `The engine was restarted in ${secs} s` : 'The engine was restarted',
      text: s.replayed
        ? `After: ${s.reason}. Your script was ${rebuiltTo(s.position)}; you can go on where you were.${s.interrupted ? ' The command that was running when it stopped did not complete.' : ''}`
        : `After: ${s.reason}. ${s.note ?? ''} Your script is kept in the Script tab.`,
      ttl: s.replayed ? 20_000 : 0,
    });
    const r = release.done;
    release.done = null;
    if (r) void whenIdle().finally(r);
  }
}

/** Once per page: engine-failure notices and the OOM watcher. */
export function installRobustness(): void {
  if (installed) return;
  installed = true;
  const release = { done: null as (() => void) | null };
  onEngineStatus((s) => onStatus(s, release));
  watchOom();
}

/** Extra calls on window.mshareExplorer for robustness tests (see src/ui/test-api.ts). */
export interface RobustnessTestApi {
  /**
   * Makes the engine worker fail ('throw': an uncaught exception; 'hang': endless loop,
   * found by the watchdog; 'reject': a call fails; 'terminate': killed without a word) and
   * resolves when it has been restarted and rebuilt, with the recovery record.
   */
  crashWorkerForTest(mode?: 'throw' | 'hang' | 'reject' | 'terminate'): Promise<{ reason: string; ms: number; position: number; replayed: boolean }>;
  /** Milliseconds an unanswered watchdog ping may wait (default 30 s). */
  setWatchdogForTest(ms: number): void;
  engineHealth(): ReturnType<typeof engineHealth>;
  /** The saved session as stored (null if none), after flushing the pending save. */
  savedSession(): ReturnType<typeof readSession>;
  startFresh(): Promise<void>;
}

export function robustnessTestApi(): RobustnessTestApi {
  return {
    crashWorkerForTest: (mode = 'throw') => crashWorkerForTest(mode),
    setWatchdogForTest,
    engineHealth,
    savedSession: () => {
      saveNow();
      return readSession();
    },
    startFresh: async () => {
      await startFresh();
      await whenIdle();
    },
  };
}

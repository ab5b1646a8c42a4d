import { listProblemsSoFar } from '../run-report';
import { errorsText, failedText } from '../problems';
import { store, useUiShallow } from '../store';
import './feedback.css';

/**
 * The timeline's "2 expects failed · 3 errors": the problems of the steps run up to the
 * current step, so it stays in view whichever tab the bottom panel shows (a script run from
 * the Script tab lists its failures in the console, out of sight). Empty when everything held.
 * The live region is always there, so a screen reader hears it appear.
 */
export function ProblemIndicator() {
  const { failed, errors, position } = useUiShallow((s) => ({ failed: s.problems.failed, errors: s.problems.errors, position: s.position }));
  const failedLabel = failedText(failed);
  const errorsLabel = errorsText(errors);
  return (
    <span className="tl-problems" role="status" aria-label="Problems so far" data-testid="timeline-problems">
      {(failedLabel || errorsLabel) && (
        <button
          type="button"
          className={`tl-problems-button${failedLabel ? ' has-failed' : ''}`}
          title={`Failed expects and commands that ended in an error or a signal, in steps 1–${position}. Click to list them in the console.`}
          onClick={() => {
            store.setState({ consoleTab: 'console' });
            void listProblemsSoFar();
          }}
        >
          {failedLabel && <span className="tl-failed">{failedLabel}</span>}
          {failedLabel && errorsLabel && <span className="tl-problems-sep" aria-hidden="true">·</span>}
          {errorsLabel && <span className="tl-errors">{errorsLabel}</span>}
        </button>
      )}
    </span>
  );
}

/**
 * The notice stack (bottom right) and the session controls (status bar). Every string is
 * rendered as text by React; nothing here builds HTML.
 */
import { useEffect, useState } from 'react';
import { engineStatus, onEngineStatus, type EngineStatus } from '../engine-client';
import { dismiss, useNotices } from './notices';
import { startFresh } from './session';
import './notices.css';

export function Notices() {
  const notices = useNotices();
  return (
    <div className="notices" data-testid="notices">
      {notices.map((n) => (
        <section
          key={n.id}
          className={`notice n-${n.kind}`}
          role={n.urgent ? 'alert' : 'status'}
          aria-label={n.title}
          data-testid={`notice-${n.kind}`}
        >
          <button type="button" className="n-close" aria-label="Dismiss" onClick={() => dismiss(n.id)}>×</button>
          <h3>{n.title}</h3>
          {n.text && <p>{n.text}</p>}
          {n.actions.length > 0 && (
            <div className="n-actions">
              {n.actions.map((a) => (
                <button type="button" key={a.label} onClick={() => { dismiss(n.id); void a.run(); }}>{a.label}</button>
              ))}
            </div>
          )}
        </section>
      ))}
    </div>
  );
}

function statusText(s: EngineStatus): string {
  switch (s.state) {
    case 'starting': return 'engine starting';
    case 'ok': return 'engine ok';
    case 'restarting': return 'engine restarting…';
    case 'recovered': return 'engine restarted';
  }
}

/** Status-bar controls: the engine's health and "Start fresh". */
export function SessionBar() {
  const [status, setStatus] = useState<EngineStatus>(engineStatus());
  useEffect(() => onEngineStatus(setStatus), []);
  return (
    <span className="session-bar">
      <span data-testid="engine-status">{statusText(status)}</span>
      <button
        type="button"
        data-testid="start-fresh"
        title="Forget the saved script, step and view settings and load the default scenario"
        onClick={() => {
          if (confirm('Start fresh? The saved script, its step and your view settings are forgotten.')) void startFresh();
        }}
      >
        Start fresh
      </button>
    </span>
  );
}

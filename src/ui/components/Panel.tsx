import type { ReactNode } from 'react';

/** A titled view with its one-line caption saying what it shows. */
export function Panel(props: { id: string; title: string; caption: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`panel ${props.className ?? ''}`} aria-labelledby={`${props.id}-title`} data-testid={`panel-${props.id}`}>
      <header className="panel-head">
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <p className="caption" title={typeof props.caption === 'string' ? props.caption : undefined}>{props.caption}</p>
        {props.actions && <div className="panel-actions">{props.actions}</div>}
      </header>
      <div className="panel-body">{props.children}</div>
    </section>
  );
}

import { useRef, useState, type ReactNode } from 'react';
import { runLine, runLineOutcome } from '../actions';
import { hex, size, vmaAddrArg } from '../format';
import { DEFAULT_MSHARE_PATH } from '../../scenario/constants';
import { store, useUi, type UiState } from '../store';
import { MachineDialog } from './MachineDialog';
import { TalkButtons } from '../talk/TalkButtons';
import { usePopoverFocus } from './use-popover-focus';
import { buildLine, checkLines, type BuiltLine, type FieldErrors } from '../check-lines';
import { freeRegionSlot, userTop } from '../region-slot';
import './toolbar.css';

/**
 * Runs a form's lines one after another, stopping at the first that does not work (a parse
 * error, an errno, a signal): each line builds on the one before, as `set -e` would. A region
 * whose mmap failed must not go on to its MAP_FIXED object mmap, which would land on whatever
 * the address holds. The forms parse every line first (useCheckedSubmit); the console shows
 * the failing line's error as for a typed line.
 */
async function runLines(lines: string[]): Promise<void> {
  for (const l of lines) if (!(await runLineOutcome(l)).ok) return;
}

function selected() {
  const s = store.getState();
  const snap = s.snapshot;
  const task = snap?.tasks.find((t) => t.pid === s.selection.pid && t.state === 'running');
  const mm = task && snap?.mms.find((m) => m.id === task.mm);
  const vma = mm && s.selection.vma?.mm === mm.id ? mm.vmas.find((v) => v.startNum === s.selection.vma!.start) : mm?.vmas[0];
  return { s, snap, task, mm, vma };
}

/**
 * Whether msharefs is mounted where the region form creates its files. The snapshot has no
 * mount table, so this reads it off what ran: a `mount msharefs` step among the recent step
 * records (EBUSY too: that one was mounted already), or a region there (only msharefs makes
 * one). A mount older than the records with every region since gone reads as unmounted;
 * mounting again then says EBUSY, which counts.
 */
function msharefsMounted(s: UiState): boolean {
  return s.snapshot?.mounts.includes(DEFAULT_MSHARE_PATH) ?? false;
}

function freshName(prefix: string): string {
  const names = new Set(store.getState().snapshot?.tasks.map((t) => t.name));
  for (let i = 1; ; i++) if (!names.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

function Popover(props: { label: string; children: (close: () => void) => ReactNode; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="popover-wrap">
      <button type="button" aria-expanded={open} aria-haspopup="dialog" disabled={props.disabled} onClick={() => setOpen(!open)}>{props.label} <span aria-hidden="true">▾</span></button>
      {open && <PopoverPanel label={props.label} close={() => setOpen(false)}>{props.children}</PopoverPanel>}
    </div>
  );
}

/** The open popover: focus, Esc and light dismiss as use-popover-focus.ts describes. */
function PopoverPanel(props: { label: string; close: () => void; children: (close: () => void) => ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = usePopoverFocus(ref, props.close);
  return (
    <div ref={ref} className="popover" role="dialog" aria-label={props.label}>
      {props.children(close)}
    </div>
  );
}

/** A form's text field, with its parse error next to it (useCheckedSubmit's `errors[field]`). */
function TextField(props: { label: string; aria: string; id: string; value: string; error: string | undefined; size: number; placeholder?: string; onChange: (v: string) => void }) {
  const errId = `${props.id}-error`;
  return (
    <>
      <label>{props.label} <input aria-label={props.aria} value={props.value} onChange={(e) => props.onChange(e.target.value)} size={props.size} placeholder={props.placeholder}
        aria-invalid={!!props.error} aria-describedby={props.error ? errId : undefined} /></label>
      <FieldError id={errId} text={props.error} />
    </>
  );
}

/** Blanks never belong in an address, a size or a label: "64 M" is 64M, not 64 and prot M. */
const noBlanks = (v: string) => v.replace(/\s/g, '');

function MmapForm({ close }: { close: () => void }) {
  const [addr, setAddr] = useState('auto');
  const [len, setLen] = useState('2M');
  const [prot, setProt] = useState('rw');
  const [flags, setFlags] = useState<Record<string, boolean>>({ private: true, anon: true });
  const [label, setLabel] = useState('');
  const { task } = selected();
  const line = buildLine(`${task?.name ?? 'TASK'}: mmap `, { field: 'address', text: addr || 'auto' }, ' ', { field: 'size', text: len },
    ` ${prot} ${Object.keys(flags).filter((f) => flags[f]).join(',') || 'private'}`, ...(label ? [' as ', { field: 'label', text: label }] : []));
  const { errors, checking, submit, edit } = useCheckedSubmit(close);
  return (
    <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void submit([line], { size: len }); }}>
      <TextField label="address" aria="mmap address" id="mmap-address" value={addr} error={errors.address} size={16} onChange={edit((v) => setAddr(noBlanks(v)))} />
      <TextField label="size" aria="mmap size" id="mmap-size" value={len} error={errors.size} size={6} onChange={edit((v) => setLen(noBlanks(v)))} />
      <label>prot <select aria-label="mmap protection" value={prot} onChange={(e) => setProt(e.target.value)}>{['r', 'rw', 'rx', 'rwx', 'none'].map((p) => <option key={p}>{p}</option>)}</select></label>
      <fieldset><legend>flags</legend>
        {['private', 'shared', 'anon', 'fixed', 'populate', 'hugetlb', 'noreserve'].map((f) => (
          <label key={f} className="check"><input type="checkbox" checked={!!flags[f]} onChange={(e) => setFlags({ ...flags, [f]: e.target.checked })} />{f}</label>
        ))}
      </fieldset>
      {/* Only what a label can hold: '#' would start a comment and cut the label short. */}
      <TextField label="label" aria="mmap label" id="mmap-label" value={label} error={errors.label} size={10} placeholder="heap" onChange={edit((v) => setLabel(v.replace(/[^\w]/g, '')))} />
      <FieldError id="mmap-form-error" text={errors['']} />
      <code className="preview">{line.text}</code>
      <button type="submit" className="primary" disabled={!task || checking}>mmap</button>
    </form>
  );
}

function VmaForm({ close, verb }: { close: () => void; verb: 'mprotect' | 'touch' }) {
  const { task, mm, vma } = selected();
  const [prot, setProt] = useState('r');
  const [mode, setMode] = useState('write');
  const [len, setLen] = useState(vma ? size(Math.min(vma.endNum - vma.startNum, 4 << 20)) : '64K');
  const target = vma && mm ? vmaAddrArg(mm.vmas, vma) : 'ADDR';
  const line = buildLine(`${task?.name}: ${verb} ${target} `, { field: 'length', text: len }, ` ${verb === 'mprotect' ? prot : mode}`);
  const { errors, checking, submit, edit } = useCheckedSubmit(close);
  return (
    <form className="form" noValidate onSubmit={(e) => { e.preventDefault(); void submit([line], { length: len }); }}>
      <p>VMA {vma ? `${vma.label ?? ''} ${vma.start}` : '—'}</p>
      <TextField label="length" aria={`${verb} length`} id={`${verb}-length`} value={len} error={errors.length} size={6}
        onChange={edit((v) => setLen(noBlanks(v)))} />
      {verb === 'mprotect' ? (
        <label>prot <select aria-label="new protection" value={prot} onChange={(e) => setProt(e.target.value)}>{['none', 'r', 'rw', 'rx', 'rwx'].map((p) => <option key={p}>{p}</option>)}</select></label>
      ) : (
        <label>access <select aria-label="touch access" value={mode} onChange={(e) => setMode(e.target.value)}><option>read</option><option>write</option></select></label>
      )}
      <FieldError id={`${verb}-form-error`} text={errors['']} />
      <code className="preview">{line.text}</code>
      <button type="submit" className="primary" disabled={!task || !vma || checking}>{verb}</button>
    </form>
  );
}

/** A form field's error, next to it (the id is the field's aria-describedby). */
function FieldError({ id, text }: { id: string; text: string | undefined }) {
  return text ? <span id={id} className="field-error" role="alert">{text}</span> : null;
}

/**
 * Submits a form that runs several lines: all are parsed first (checkLines), and only when
 * every one parses does the form close and run them; otherwise it stays open with the user's
 * input and the errors next to their fields.
 */
function useCheckedSubmit(close: () => void) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [checking, setChecking] = useState(false);
  const submit = async (lines: BuiltLine[], required: Record<string, string>, extra: FieldErrors = {}) => {
    if (checking) return;
    setChecking(true);
    try {
      const found = { ...extra, ...(Object.keys(extra).length ? {} : await checkLines(lines, required)) };
      setErrors(found);
      if (Object.keys(found).length) return;
      close();
      void runLines(lines.map((l) => l.text));
    } finally {
      setChecking(false);
    }
  };
  /** A field's setter that also clears the errors shown: the old message no longer applies. */
  const edit = (set: (v: string) => void) => (v: string) => {
    set(v);
    if (Object.keys(errors).length) setErrors({});
  };
  return { errors, setErrors, checking, submit, edit };
}

function RegionForm({ close }: { close: () => void }) {
  const snap = useUi((s) => s.snapshot);
  const [name, setName] = useState(`r${(snap?.regions.length ?? 0) + 1}`);
  const [len, setLen] = useState('8M');
  const { task } = selected();
  const flavour = snap?.config.mshare ?? 2024;
  const mounted = useUi(msharefsMounted);
  const mm = snap?.mms.find((x) => x.id === task?.mm);
  const taken = [...(mm?.vmas ?? []).map((v) => ({ start: v.startNum, end: v.endNum })), ...(snap?.regions ?? []).map((r) => ({ start: r.start, end: r.start + r.size }))];
  const slot = freeRegionSlot(taken, userTop(snap?.levels ?? 4));
  const n = task?.name ?? 'TASK';
  const N = { field: 'name', text: name };
  const L = { field: 'memory', text: len };
  const dir = `${DEFAULT_MSHARE_PATH}/`;
  const lines = flavour === 2024
    ? [buildLine(`${n}: open ${dir}`, N, ' create as ', N), buildLine(`${n}: mmap ${hex(slot ?? 0)} 512G rw shared fd=`, N, ' as ', N), buildLine(`${n}: mmap ${hex(slot ?? 0)} `, L, ' rw shared,anon,fixed')]
    : [buildLine(`${n}: open ${dir}`, N, ' create as ', N), buildLine(`${n}: ftruncate `, N, ' 512G'), buildLine(`${n}: ioctl `, N, ' create_mapping 0 ', L, ' rw'), buildLine(`${n}: mmap auto 512G rw shared fd=`, N, ' as ', N)];
  const { errors, setErrors, checking, submit } = useCheckedSubmit(close);
  const nameTaken = snap?.regions.some((r) => r.path === `${dir}${name}`);
  const noSlot = flavour === 2024 && slot === null;
  const edit = (field: string, set: (v: string) => void) => (v: string) => {
    set(v);
    if (errors[field] || errors['']) setErrors({}); // the old message no longer applies
  };
  return (
    <form className="form" noValidate onSubmit={(e) => {
      e.preventDefault();
      const refusal: FieldErrors = nameTaken ? { name: `a region named ${name} exists already: choose another name` }
        : noSlot ? { '': `${n} has no free 512 GiB-aligned slot for a region` } : {};
      void submit(lines, { name, memory: len }, refusal);
    }}>
      <p>Creates an msharefs region ({flavour} flavour) owned by {n}.{mounted ? '' : ' Mount msharefs first.'}</p>
      {/* Without the mount, open … create makes an ordinary file and the mmap a plain file mapping. */}
      {!mounted && <button type="button" onClick={() => void runLine('mount msharefs')}>Mount msharefs</button>}
      <label>name <input aria-label="region name" value={name} onChange={(e) => edit('name', setName)(e.target.value.replace(/[^\w.-]/g, ''))} size={10}
        aria-invalid={!!errors.name} aria-describedby={errors.name ? 'region-name-error' : undefined} /></label>
      <FieldError id="region-name-error" text={errors.name} />
      <label>memory <input aria-label="region memory size" value={len} onChange={(e) => edit('memory', setLen)(e.target.value)} size={6}
        aria-invalid={!!errors.memory} aria-describedby={errors.memory ? 'region-memory-error' : undefined} /></label>
      <FieldError id="region-memory-error" text={errors.memory} />
      <FieldError id="region-form-error" text={errors['']} />
      <pre className="preview">{lines.map((l) => l.text).join('\n')}</pre>
      <button type="submit" className="primary" disabled={!task || !mounted || checking} title={!task ? 'Select a process first' : mounted ? undefined : `Mount msharefs at ${DEFAULT_MSHARE_PATH} first`}>Create region</button>
    </form>
  );
}

function AttachForm({ close }: { close: () => void }) {
  const snap = useUi((s) => s.snapshot);
  // An unlinked region cannot be opened by its name any more: only live ones can be attached.
  const regions = (snap?.regions ?? []).filter((r) => !r.deleted);
  const [path, setPath] = useState(regions[0]?.path ?? '');
  const { task } = selected();
  const r = regions.find((x) => x.path === path);
  // A descriptor name is a label: a letter or '_' first, then letters, digits or '_' (a
  // region file named 9 used to give `fd=9`, which does not parse).
  const base = (path.split('/').pop() ?? 'f').replace(/[^\w]/g, '') || 'f';
  const fd = /^[A-Za-z_]/.test(base) ? base : `r${base}`;
  const n = task?.name ?? 'TASK';
  const lines = (r ? (r.flavour === 2024
    ? [`${n}: open ${path} as ${fd}`, `${n}: mshare_info ${fd}`, `${n}: mmap ${hex(r.start)} ${size(r.size)} rw shared fd=${fd} as ${fd}`]
    : [`${n}: open ${path} as ${fd}`, `${n}: mmap auto ${size(r.size)} rw shared fd=${fd} as ${fd}`]) : []).map((l) => buildLine(l));
  const { errors, setErrors, checking, submit } = useCheckedSubmit(close);
  return (
    <form className="form" onSubmit={(e) => { e.preventDefault(); void submit(lines, {}); }}>
      <label>region <select aria-label="region to attach" value={path} onChange={(e) => { setPath(e.target.value); setErrors({}); }}>{regions.map((x) => <option key={x.id}>{x.path}</option>)}</select></label>
      <FieldError id="attach-form-error" text={errors['']} />
      <pre className="preview">{lines.map((l) => l.text).join('\n') || 'no region yet'}</pre>
      <button type="submit" className="primary" disabled={!task || !r || checking}>Attach {n}</button>
    </form>
  );
}

const POLICY_CHOICES: { key: string; field: 'charge' | 'ownerExit' | 'mprotect' | 'tlbFlush'; values: string[] }[] = [
  { key: 'charge', field: 'charge', values: ['faulter', 'owner'] },
  { key: 'owner_exit', field: 'ownerExit', values: ['keep', 'unmap'] },
  { key: 'mprotect', field: 'mprotect', values: ['global', 'einval'] },
  { key: 'tlb_flush', field: 'tlbFlush', values: ['all', 'sharers'] },
];

/**
 * The policy switches. Choosing in a select only changes the form (an arrow key on a select
 * used to run a `policy` line at once, and at a past step drop the later steps); Apply, or
 * Enter, runs one `policy` line with the switches that changed.
 */
function PolicyForm({ close }: { close: () => void }) {
  const p = useUi((s) => s.snapshot?.policies);
  const now = (c: (typeof POLICY_CHOICES)[number]) => (p?.[c.field] as string | undefined) ?? c.values[0];
  const [chosen, setChosen] = useState<Record<string, string>>(() => Object.fromEntries(POLICY_CHOICES.map((c) => [c.key, now(c)])));
  const changed = POLICY_CHOICES.filter((c) => chosen[c.key] !== now(c));
  const line = changed.length ? `policy ${changed.map((c) => `${c.key}=${chosen[c.key]}`).join(' ')}` : '';
  return (
    <form
      className="form"
      onSubmit={(e) => { e.preventDefault(); if (!line) return; close(); void runLine(line); }}
      // Enter on a select does not submit a form by itself.
      onKeyDown={(e) => { if (e.key === 'Enter' && e.target instanceof HTMLSelectElement) { e.preventDefault(); e.currentTarget.requestSubmit(); } }}
    >
      <p>mshare's open questions as switches; Apply runs them as a <code>policy</code> line.</p>
      {POLICY_CHOICES.map((c) => (
        <label key={c.key}>{c.key} <select aria-label={`policy ${c.key}`} value={chosen[c.key]} onChange={(e) => setChosen({ ...chosen, [c.key]: e.target.value })}>{c.values.map((v) => <option key={v}>{v}</option>)}</select></label>
      ))}
      <code className="preview">{line || 'no change yet'}</code>
      <button type="submit" className="primary" disabled={!line}>Apply</button>
    </form>
  );
}

/**
 * The msharefs actions behind one toolbar button (four side by side wrapped the toolbar onto
 * a second row at 1440 px): mount runs at once, the others open their form in its place.
 */
function MshareMenu({ close, canAct, hasRegion }: { close: () => void; canAct: boolean; hasRegion: boolean }) {
  const mounted = useUi(msharefsMounted);
  const [form, setForm] = useState<'region' | 'attach' | 'policies' | null>(null);
  if (form === 'region') return <RegionForm close={close} />;
  if (form === 'attach') return <AttachForm close={close} />;
  if (form === 'policies') return <PolicyForm close={close} />;
  return (
    <div className="menu">
      <button type="button" disabled={mounted} title={mounted ? `msharefs is mounted at ${DEFAULT_MSHARE_PATH}` : undefined} onClick={() => { close(); void runLine('mount msharefs'); }}>Mount msharefs</button>
      <button type="button" disabled={!canAct} title={canAct ? undefined : 'Select a process first'} onClick={() => setForm('region')}>Create region…</button>
      <button type="button" disabled={!canAct || !hasRegion} title={!canAct ? 'Select a process first' : hasRegion ? undefined : 'No msharefs region to attach yet: create one first'} onClick={() => setForm('attach')}>Attach…</button>
      <button type="button" onClick={() => setForm('policies')}>Policies…</button>
    </div>
  );
}

export function Toolbar() {
  const task = useUi((s) => s.snapshot?.tasks.find((t) => t.pid === s.selection.pid && t.state === 'running'));
  const theme = useUi((s) => s.theme);
  const hasVma = useUi((s) => !!s.snapshot?.mms.find((m) => m.id === task?.mm)?.vmas.length);
  const hasRegion = useUi((s) => (s.snapshot?.regions.length ?? 0) > 0);
  const [machineOpen, setMachineOpen] = useState(false);
  const name = task?.name;
  const vmaLine = (verb: string) => {
    const { mm, vma } = selected();
    if (!vma || !mm || !name) return;
    const target = vmaAddrArg(mm.vmas, vma);
    if (verb === 'munmap') void runLine(`${name}: munmap ${hex(vma.startNum)} ${size(vma.endNum - vma.startNum)}`);
    if (verb === 'read') void runLine(`${name}: read ${target}`);
    if (verb === 'write') void runLine(`${name}: write ${target} 1`);
  };
  return (
    // A labelled group, not role="toolbar": that role promises a single Tab stop with the
    // arrow keys moving between the items, and here every control keeps its own Tab stop.
    <header className="toolbar" role="group" aria-label="Actions">
      <h1 className="brand">mshare explorer</h1>
      <span className="acting" aria-live="polite" title="Toolbar actions run as the selected process">{name ? `as ${name}` : 'no process'}</span>
      <button type="button" onClick={() => store.setState({ galleryOpen: true })}>Scenarios</button>
      <span className="sep" />
      <button type="button" onClick={() => void runLine(`spawn ${freshName('p')}`)}>Spawn</button>
      <button type="button" disabled={!name} onClick={() => void runLine(`${name}: fork`)} title={name ? `${name}: fork` : 'select a process'}>Fork</button>
      <button type="button" disabled={!name} onClick={() => void runLine(`${name}: thread`)}>Thread</button>
      <button type="button" disabled={!name} onClick={() => void runLine(`${name}: exit`)}>Exit</button>
      <span className="sep" />
      <Popover label="mmap" disabled={!name}>{(close) => <MmapForm close={close} />}</Popover>
      <button type="button" disabled={!hasVma} onClick={() => vmaLine('munmap')}>munmap</button>
      <Popover label="mprotect" disabled={!hasVma}>{(close) => <VmaForm close={close} verb="mprotect" />}</Popover>
      <button type="button" disabled={!hasVma} onClick={() => vmaLine('read')}>Read</button>
      <button type="button" disabled={!hasVma} onClick={() => vmaLine('write')}>Write</button>
      <Popover label="Touch" disabled={!hasVma}>{(close) => <VmaForm close={close} verb="touch" />}</Popover>
      <span className="sep" />
      <Popover label="msharefs">{(close) => <MshareMenu close={close} canAct={!!name} hasRegion={hasRegion} />}</Popover>
      <span className="grow" />
      <TalkButtons />
      <button type="button" data-tour-opener onClick={() => store.setState({ tourStep: 0 })}>Tour</button>
      <button type="button" onClick={() => setMachineOpen(true)}>Machine…</button>
      <button type="button" aria-label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} onClick={() => {
        const next = theme === 'dark' ? 'light' : 'dark';
        store.setState({ theme: next });
        try { localStorage.setItem('mshare-explorer.theme', next); } catch { /* ignore */ }
      }}>{theme === 'dark' ? '☀' : '☾'}</button>
      {machineOpen && <MachineDialog onClose={() => setMachineOpen(false)} />}
    </header>
  );
}

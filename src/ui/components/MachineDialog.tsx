import { useEffect, useRef, useState } from 'react';
import { restartMachine } from '../actions';
import { useUi } from '../store';

/**
 * A select's choices with the running machine's value among them: a script, a link or the CLI
 * can set any value the `machine` line accepts (ram=16M, cpus=3, tlb=8), and a select whose
 * value is not an option shows its first option while the form applies the hidden value.
 */
export function choicesWith(list: readonly number[], current: number): number[] {
  return [...new Set([...list, current])].filter((n) => Number.isFinite(n)).sort((a, b) => a - b);
}

const ramText = (mib: number) => (mib >= 1024 && mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`);

export function MachineDialog({ onClose }: { onClose: () => void }) {
  const cfg = useUi((s) => s.snapshot?.config);
  const ref = useRef<HTMLDialogElement | null>(null);
  const ramNow = Math.round((cfg?.ram ?? 256 << 20) / 2 ** 20);
  const cpusNow = cfg?.cpus ?? 2;
  const tlbNow = cfg?.tlb ?? 64;
  const [ram, setRam] = useState(String(ramNow));
  const [cpus, setCpus] = useState(String(cpusNow));
  const [levels, setLevels] = useState(String(cfg?.levels ?? 4));
  const [mshare, setMshare] = useState(String(cfg?.mshare ?? 2024));
  const [tlb, setTlb] = useState(String(tlbNow));
  const [pcid, setPcid] = useState(cfg?.pcid ?? true);
  const [pti, setPti] = useState(cfg?.pti ?? false);
  const [thp, setThp] = useState<'never' | 'advise' | 'always'>(cfg?.shmemThp ?? 'never');
  useEffect(() => {
    // The opener (Machine…): the focus goes back to it when the dialog goes. Cancel's close()
    // restores it natively; Restart machine unmounts the open dialog, which left it on <body>.
    const opener = document.activeElement;
    ref.current?.showModal();
    return () => {
      const active = document.activeElement;
      if (opener instanceof HTMLElement && opener.isConnected && (active === null || active === document.body)) opener.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-label="Machine settings" onClose={onClose}>
      <form method="dialog" className="form" onSubmit={(e) => {
        e.preventDefault();
        onClose();
        void restartMachine({ ram: Number(ram) * 2 ** 20, cpus: Number(cpus), levels: Number(levels) as 4 | 5, mshare: Number(mshare) as 2024 | 2025, tlb: Number(tlb), pcid, pti: pcid && pti, shmemThp: thp });
      }}>
        <h2>Machine</h2>
        <p>Changing these rebuilds the machine and replays the script to the current step. The script's expects were written for its own machine: on another one (5-level paging adds a P4D table page to every process) some figures differ, and the console says why.</p>
        <label>RAM <select aria-label="RAM" value={ram} onChange={(e) => setRam(e.target.value)}>{choicesWith([64, 128, 256, 512, 1024, 2048], ramNow).map((r) => <option key={r} value={r}>{ramText(r)}</option>)}</select></label>
        <label>CPUs <select aria-label="CPUs" value={cpus} onChange={(e) => setCpus(e.target.value)}>{choicesWith([1, 2, 4, 8], cpusNow).map((c) => <option key={c}>{c}</option>)}</select></label>
        <label>TLB entries per CPU <select aria-label="TLB entries" value={tlb} onChange={(e) => setTlb(e.target.value)}>{choicesWith([16, 64, 256, 1024], tlbNow).map((c) => <option key={c}>{c}</option>)}</select></label>
        <label className="check"><input type="checkbox" checked={pcid} onChange={(e) => setPcid(e.target.checked)} />PCID</label>
        <label className="check" title="Page-table isolation: user accesses run under the user PCID (kernel PCID + 2048). Needs PCID."><input type="checkbox" aria-label="PTI" checked={pcid && pti} disabled={!pcid} onChange={(e) => setPti(e.target.checked)} />PTI (user PCID = kernel PCID + 2048)</label>
        <label title="/sys/kernel/mm/transparent_hugepage/shmem_enabled: 2 MiB shmem folios mapped by one PMD">shmem THP <select aria-label="shmem THP" value={thp} onChange={(e) => setThp(e.target.value as 'never' | 'advise' | 'always')}><option value="never">never</option><option value="advise">advise (MADV_HUGEPAGE)</option><option value="always">always</option></select></label>
        <label>paging <select aria-label="Paging levels" value={levels} onChange={(e) => setLevels(e.target.value)}><option value="4">4-level</option><option value="5">5-level</option></select></label>
        <label>mshare flavour <select aria-label="mshare flavour" value={mshare} onChange={(e) => setMshare(e.target.value)}><option value="2024">2024 (LSFMM, msharefs v2)</option><option value="2025">2025 (PATCH v3)</option></select></label>
        <div className="row">
          <button type="submit" className="primary">Restart machine</button>
          <button type="button" onClick={() => { ref.current?.close(); }}>Cancel</button>
        </div>
      </form>
    </dialog>
  );
}

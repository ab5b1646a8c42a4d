/** The console's editor view, for the `/` shortcut (set when the console mounts). */
export const consoleFocus: { view: { focus(): void } | null } = { view: null };

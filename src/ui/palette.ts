/**
 * Colours. Okabe-Ito (colour-blind-safe) for categories; the same hue means the same thing
 * in every view (an anon page is blue in the address space, the tree and physical memory).
 */
export const OKABE = {
  orange: '#E69F00',
  sky: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#999999',
  black: '#000000',
} as const;

/** VMA kinds (MapsEntry.kind). */
export const VMA_COLOURS: Record<string, string> = {
  anon: OKABE.sky,
  shmem: OKABE.green,
  file: OKABE.yellow,
  hugetlb: OKABE.purple,
  mshare: OKABE.orange,
};

/** Frame uses, indexed like FRAME_USE_NAMES. Page-table levels share the vermillion family. */
export const FRAME_USE_COLOURS: readonly string[] = [
  '', // free: drawn as the panel background
  '#6b6b6b', // kernel
  '#c9c9c9', // zero page
  '#8c2d04', // pgd
  '#b33c00', // p4d
  '#D55E00', // pud
  '#e8773a', // pmd
  '#f5a36e', // pte
  OKABE.sky, // anon
  OKABE.green, // shmem
  OKABE.purple, // hugetlb
];

/** [r, g, b] for a #rrggbb colour. */
export function rgb(hexColour: string): [number, number, number] {
  const n = parseInt(hexColour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The charts' colours as CSS custom properties with the light-mode colour as fallback
 * (`var(--c-blue, #2563eb)`): on the page the style sheet redefines them for dark mode
 * (prefers-color-scheme: dark); an SVG opened on its own keeps the fallback. Used in
 * `style="fill:…"` / `style="stroke:…"` (presentation attributes do not take var()).
 */

/** Light-mode colours of the chart palette, by name; the page's CSS defines the dark ones. */
export const PALETTE_LIGHT = {
  blue: '#2563eb', orange: '#ea580c', green: '#16a34a', purple: '#7c3aed', grey: '#6b7280', silver: '#9ca3af', red: '#dc2626',
  kernel: '#b07cc6', stack: '#e06c75', mmap: '#56b6c2', heap: '#e5c07b', arena: '#d19a66', data: '#98c379', text: '#61afef', reserve: '#c8ccd4', free: '#ffffff',
} as const;

/** A palette colour's name. */
export type PaletteName = keyof typeof PALETTE_LIGHT;

/** The CSS value of palette colour `name`: `var(--c-NAME, #light)`. */
export function paint(name: PaletteName): string {
  return `var(--c-${name}, ${PALETTE_LIGHT[name]})`;
}

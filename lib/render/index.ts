/**
 * vmprobe/render: turns experiment results into text, JSON, SVG and a self-contained
 * HTML page. Renderers measure nothing: they read only the result objects they are given.
 */
export { renderHtml as renderReportHtml } from './html/page';
export { renderLayoutSvg } from './layout-svg';
export { renderReportText, renderExperimentText } from './public-text';
export type { TextRenderOptions } from './public-text';
export { renderJson } from './json';

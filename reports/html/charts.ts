// The report's charts: Vega-Lite specs compiled and rendered to SVG when the report is written
// (server-side, no script in the page). Each function returns an SVG string.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface TaskBar {
  run: string;
  task: string;
  metric: string;
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** Horizontal bars of each task's main metric per run, with 95 % interval whiskers. */
export function taskBarsSpec(rows: TaskBar[]): TopLevelSpec {
  const runs = new Set(rows.map((r) => r.run)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { values: rows },
    width: 520,
    encoding: {
      y: { field: 'task', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } },
      ...(runs > 1 ? { yOffset: { field: 'run', type: 'nominal' } } : {}),
      color: { field: 'run', type: 'nominal', title: 'run', legend: runs > 1 ? { orient: 'bottom', labelLimit: 400 } : null },
    },
    layer: [
      { mark: { type: 'bar' }, encoding: { x: { field: 'mean', type: 'quantitative', title: 'main metric (95 % CI)', scale: { domain: [0, 1] } } } },
      { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'low', type: 'quantitative' }, x2: { field: 'high' } } },
    ],
  } as TopLevelSpec;
}

export interface CurvePoint {
  task: string;
  /** How the point was scored; the final full evaluation is drawn apart from the line. */
  kind: 'baseline' | 'checkpoint' | 'final';
  step: number;
  time_s: number;
  mean: number;
  low: number;
  high: number;
}

export interface CurveMarks {
  targets: { task: string; threshold: number }[];
  stop: { step: number | null; time_s: number; reason: string } | null;
  best: { step: number } | null;
}

const POINT_SHAPES = { domain: ['baseline', 'checkpoint', 'final'], range: ['square', 'circle', 'diamond'] };

/**
 * Score vs step (or wall time) per task, from the baseline on: CI band and line through the baseline
 * and the checkpoints, the final full evaluation as a diamond, target lines, the stop decision.
 */
export function trainingCurveSpec(points: CurvePoint[], marks: CurveMarks, x: 'step' | 'time_s'): TopLevelSpec {
  const xTitle = x === 'step' ? 'training step' : 'wall time (s)';
  const stopX = marks.stop ? (x === 'step' ? marks.stop.step : marks.stop.time_s) : null;
  const path = points.filter((p) => p.kind !== 'final');
  const color = { field: 'task', type: 'nominal', title: 'task', legend: { orient: 'bottom', labelLimit: 300 } };
  const layers: unknown[] = [
    { data: { values: path }, mark: { type: 'area', opacity: 0.2 }, encoding: { x: { field: x, type: 'quantitative', title: xTitle }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } },
    { data: { values: path }, mark: { type: 'line' }, encoding: { x: { field: x, type: 'quantitative' }, y: { field: 'mean', type: 'quantitative', title: 'score (95 % CI)', scale: { domain: [0, 1] } }, color } },
    { data: { values: points.filter((p) => p.kind === 'final') }, mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: x, type: 'quantitative' }, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color } },
    {
      data: { values: points },
      mark: { type: 'point', filled: true, opacity: 1 },
      encoding: {
        x: { field: x, type: 'quantitative' },
        y: { field: 'mean', type: 'quantitative' },
        color,
        shape: { field: 'kind', type: 'nominal', title: 'point', scale: POINT_SHAPES, legend: { orient: 'bottom', labelLimit: 200, labelExpr: "datum.label === 'final' ? 'final full evaluation' : datum.label" } },
        size: { condition: { test: "datum.kind === 'final'", value: 140 }, value: 40 },
      },
    },
  ];
  if (marks.targets.length)
    layers.push({ data: { values: marks.targets }, mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 }, encoding: { y: { field: 'threshold', type: 'quantitative' }, color: { field: 'task', type: 'nominal' } } });
  if (stopX !== null && stopX !== undefined) {
    const stop = [{ x: stopX, label: `stop: ${marks.stop!.reason}` }];
    layers.push({ data: { values: stop }, mark: { type: 'rule', color: '#b00', strokeWidth: 2 }, encoding: { x: { field: 'x', type: 'quantitative' } } });
    layers.push({ data: { values: stop }, mark: { type: 'text', color: '#b00', align: 'left', dx: 4, dy: -4, baseline: 'bottom' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { datum: 1 }, text: { field: 'label' } } });
  }
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 520, height: 260, layer: layers } as TopLevelSpec;
}

export interface DeltaRow {
  name: string;
  kind: 'task' | 'group';
  delta: number;
  low: number;
  high: number;
}

/** B − A per task and group with 95 % bootstrap CIs around a zero line. */
export function deltaSpec(rows: DeltaRow[]): TopLevelSpec {
  const nameAxis = { field: 'name', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 520,
    layer: [
      { data: { values: rows }, mark: { type: 'rule', color: '#333' }, encoding: { y: nameAxis, x: { field: 'low', type: 'quantitative', title: 'delta B − A (95 % CI)' }, x2: { field: 'high' } } },
      { data: { values: rows }, mark: { type: 'point', filled: true, size: 60 }, encoding: { y: nameAxis, x: { field: 'delta', type: 'quantitative' }, color: { field: 'kind', type: 'nominal', legend: { orient: 'bottom' } } } },
      // The zero line has no y encoding, so it spans the plot and adds no category.
      { data: { values: [{ zero: 0 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, encoding: { x: { field: 'zero', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

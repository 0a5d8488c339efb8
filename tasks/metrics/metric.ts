// A metric scores one request's completion against the instance's references.
import type { RequestState } from '../run-spec.js';
import type { Completion } from '../../core/request.js';

export type MetricFn = (state: RequestState, completion: Completion) => number;

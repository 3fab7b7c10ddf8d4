import type { CellKind } from './cell-kind';
import {
  newSketch,
  readSketch,
  sketchAdd,
  sketchCount,
  sketchMergeInto,
  writeSketch,
  type QuantileSketch,
} from '../sketches/quantile-sketch';

/** A window bucket holding a quantile sketch (which also keeps count, sum, min and max). */
export const quantileCell: CellKind<QuantileSketch, number> = {
  create: newSketch,
  add: sketchAdd,
  mergeInto: sketchMergeInto,
  isEmpty: (cell) => sketchCount(cell) === 0,
  write: writeSketch,
  read: readSketch,
};

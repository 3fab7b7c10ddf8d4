import type { CellKind } from './cell-kind';
import {
  newSketch,
  readSketchHeld,
  sketchAdd,
  sketchCount,
  sketchMergeInto,
  writeSketchHeld,
  type QuantileSketch,
} from '../sketches/quantile-sketch';

/** A window bucket holding a quantile sketch (which also keeps count, sum, min and max); a closed one held as its bytes (CodedQuantile). */
export const quantileCell: CellKind<QuantileSketch, number> = {
  create: newSketch,
  add: sketchAdd,
  mergeInto: sketchMergeInto,
  isEmpty: (cell) => sketchCount(cell) === 0,
  write: (writer, cell, closed = false) => writeSketchHeld(writer, cell, closed),
  read: (reader, closed = false) => readSketchHeld(reader, closed),
};

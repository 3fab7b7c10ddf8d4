/**
 * Most bins per sign of a quantile sketch. 2048 bins of 2 % cover a 10^17
 * range of magnitudes; beyond that the smallest magnitudes are collapsed
 * into the lowest bin (as DDSketch's collapsing-lowest store does), where
 * the bound no longer holds.
 */
export const MAX_BINS = 2048;

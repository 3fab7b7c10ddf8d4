// Types of young-generation.js (plain JavaScript: bin/topology.js runs it before tsx loads).
export declare const DEFAULT_SEMI_SPACE_MIB: number;
export declare function semiSpaceMibOf(args: readonly string[]): number | undefined;
export declare function restartWithSemiSpace(mib: number | undefined): void;

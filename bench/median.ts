// The middle value of a bench's samples (the upper middle of an even count): robust to the
// outliers a shared machine gives, which a mean is not.
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

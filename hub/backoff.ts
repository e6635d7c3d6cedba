// Exponential backoff with full jitter: when to try again.

/** Milliseconds to wait before retry number `attempt` (0 for the first retry). */
export type RetryDelay = (attempt: number) => number;

export interface BackoffOptions {
  readonly initialDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
}

/**
 * Exponential backoff with full jitter: a uniform pick in [0, min(maxDelay, initialDelay · factor^attempt)).
 * The jitter spans the whole window even at the cap, so clients that failed together spread out
 * instead of retrying in step (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
export function fullJitter(options: BackoffOptions, random: () => number): RetryDelay {
  return (attempt) => random() * Math.min(options.maxDelay, options.initialDelay * options.factor ** attempt);
}

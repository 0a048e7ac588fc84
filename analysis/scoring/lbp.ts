// Loopy belief propagation on a pairwise Markov random field of binary nodes
// (0 = benign, 1 = suspicious), the inference SpEagle runs on the account–review–product
// network (Rayana & Akoglu 2015, §4.1; Pearl 1988; Murphy, Weiss & Jordan 1999 for the
// loopy case and damping).
//
// Every edge carries a homophily potential  ψ = [[1−ε, ε], [ε, 1−ε]]: its two ends
// tend to share a class, more strongly the smaller ε. With two classes a message is one
// log-ratio, and the update from u to v is
//
//   c        = logit(prior_u) + Σ_{w ≠ v} m_{w→u}            (u's belief without v)
//   p        = σ(c)
//   m_{u→v}  = log( ((1−p)·ε + p·(1−ε)) / ((1−p)·(1−ε) + p·ε) )
//
// so a benign neighbour (p < ½) sends a negative message and lowers v's belief, a
// suspicious one raises it: propagation is centred. Messages start at 0 (uniform), are
// updated synchronously and damped (m ← λ·m_old + (1−λ)·m_new), until the largest
// change is below `tolerance` or `maxIterations` is reached.
import { logit, sigmoid } from './prior';
import { column } from '../columns';

export interface MrfEdges {
  a: Int32Array;
  b: Int32Array;
  eps: Float64Array;
  /**
   * Fractional weights of the message into b and into a (default 1). A node that hears n
   * correlated sources can take each at a share of 1 (fractional BP, Wiegerinck & Heskes
   * 2003) instead of counting them as n independent pieces of evidence.
   */
  intoB?: Float64Array;
  intoA?: Float64Array;
}

export interface LbpOptions {
  maxIterations: number;
  tolerance: number;
  /** λ: share of the old message kept each round. */
  damping: number;
}

export const DEFAULT_LBP_OPTIONS: LbpOptions = { maxIterations: 10, tolerance: 1e-3, damping: 0.5 };

export interface LbpResult {
  /** Posterior log-odds of class 1 per node. */
  logOdds: Float64Array;
  iterations: number;
  /** Largest message change in the last round. */
  delta: number;
  /** Final messages a → b and b → a per edge (log-ratios), to explain a belief by its sources. */
  ab: Float64Array;
  ba: Float64Array;
}

function message(cavity: number, eps: number): number {
  const p = sigmoid(cavity);
  return Math.log(((1 - p) * eps + p * (1 - eps)) / ((1 - p) * (1 - eps) + p * eps));
}

/** Beliefs of `priors.length` nodes joined by `edges`; priors are P(class 1) in (0, 1). */
export function beliefPropagation(priors: Float64Array, edges: MrfEdges, options: Partial<LbpOptions> = {}): LbpResult {
  const opts = { ...DEFAULT_LBP_OPTIONS, ...options };
  const n = priors.length;
  const m = edges.a.length;
  const prior = column(Float64Array, n);
  for (let i = 0; i < n; i++) prior[i] = logit(priors[i]);
  const ab = column(Float64Array, m); // message a → b
  const ba = column(Float64Array, m); // message b → a
  const belief = column(Float64Array, n);
  // Plain locals and unit weights instead of a property load and a branch per edge (x · 1 = x: same sums).
  const ea = edges.a;
  const eb = edges.b;
  const eps = edges.eps;
  const intoA = edges.intoA ?? column(Float64Array, m).fill(1);
  const intoB = edges.intoB ?? column(Float64Array, m).fill(1);
  const keep = opts.damping;
  const take = 1 - opts.damping;
  let iterations = 0;
  let delta = 0;
  const sumBeliefs = () => {
    belief.set(prior);
    for (let e = 0; e < m; e++) {
      belief[eb[e]] += ab[e] * intoB[e];
      belief[ea[e]] += ba[e] * intoA[e];
    }
  };
  for (; iterations < opts.maxIterations; ) {
    sumBeliefs();
    delta = 0;
    for (let e = 0; e < m; e++) {
      const nab = keep * ab[e] + take * message(belief[ea[e]] - ba[e] * intoA[e], eps[e]);
      const nba = keep * ba[e] + take * message(belief[eb[e]] - ab[e] * intoB[e], eps[e]);
      delta = Math.max(delta, Math.abs(nab - ab[e]), Math.abs(nba - ba[e]));
      ab[e] = nab;
      ba[e] = nba;
    }
    iterations++;
    if (delta < opts.tolerance) break;
  }
  sumBeliefs();
  return { logOdds: belief, iterations, delta, ab, ba };
}

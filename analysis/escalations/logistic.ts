// Logistic regression with an intercept and an L2 penalty, fitted by Newton's method
// (iteratively reweighted least squares) on standardised features. The penalty leaves
// the intercept alone. Small, dependency-free and exact enough to test by hand.

export interface Scaler {
  mean: number[];
  /** Standard deviation; 1 where a feature is constant (so it standardises to 0). */
  sd: number[];
}

export function fitScaler(X: readonly number[][]): Scaler {
  const d = X[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const row of X) for (let j = 0; j < d; j++) mean[j] += row[j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(1, X.length);
  for (const row of X) for (let j = 0; j < d; j++) sd[j] += (row[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(sd[j] / Math.max(1, X.length));
    sd[j] = s > 1e-12 ? s : 1;
  }
  return { mean, sd };
}

export function standardise(x: readonly number[], s: Scaler): number[] {
  return x.map((v, j) => (v - s.mean[j]) / s.sd[j]);
}

export interface LogisticModel {
  intercept: number;
  /** Weights on standardised features. */
  weights: number[];
  scaler: Scaler;
  l2: number;
  iterations: number;
  converged: boolean;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export interface FitOptions {
  /** Penalty λ in  −loglik + λ/2·‖w‖²  (intercept not penalised). */
  l2?: number;
  maxIter?: number;
  tol?: number;
  /** Per-row weights (e.g. class balancing); default 1. */
  sampleWeights?: readonly number[];
  /** Skip standardisation (tests with hand-computed values). */
  standardise?: boolean;
}

/** Solves A x = b for symmetric positive definite A by Cholesky; null if A is not PD. */
export function choleskySolve(A: number[][], b: number[]): number[] | null {
  const n = b.length;
  const L = A.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (s <= 1e-14) return null;
        L[i][i] = Math.sqrt(s);
      } else {
        L[i][j] = s / L[j][j];
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i][k] * y[k];
    y[i] = s / L[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= L[k][i] * x[k];
    x[i] = s / L[i][i];
  }
  return x;
}

/** Penalised negative log-likelihood (the objective Newton minimises). */
export function objective(Z: readonly number[][], y: readonly number[], beta: readonly number[], l2: number, w?: readonly number[]): number {
  let f = 0;
  for (let i = 0; i < Z.length; i++) {
    let z = beta[0];
    for (let j = 0; j < Z[i].length; j++) z += beta[j + 1] * Z[i][j];
    // log(1+e^z) − y·z, computed stably.
    const l = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    f += (w?.[i] ?? 1) * (l - y[i] * z);
  }
  for (let j = 1; j < beta.length; j++) f += (l2 / 2) * beta[j] ** 2;
  return f;
}

export function fitLogistic(X: readonly number[][], y: readonly number[], opts: FitOptions = {}): LogisticModel {
  if (X.length !== y.length) throw new Error(`X has ${X.length} rows, y has ${y.length}`);
  if (X.length === 0) throw new Error('no training rows');
  const l2 = opts.l2 ?? 1;
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-8;
  const d = X[0].length;
  const scaler = opts.standardise === false ? { mean: new Array(d).fill(0), sd: new Array(d).fill(1) } : fitScaler(X);
  const Z = X.map((r) => standardise(r, scaler));
  const sw = opts.sampleWeights;
  const p = d + 1;
  let beta = new Array<number>(p).fill(0);
  let f = objective(Z, y, beta, l2, sw);
  let converged = false;
  let iter = 0;
  for (; iter < maxIter; iter++) {
    const g = new Array<number>(p).fill(0);
    const H = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    for (let i = 0; i < Z.length; i++) {
      const zi = Z[i];
      let z = beta[0];
      for (let j = 0; j < d; j++) z += beta[j + 1] * zi[j];
      const mu = sigmoid(z);
      const wi = sw?.[i] ?? 1;
      const r = wi * (mu - y[i]);
      const h = wi * mu * (1 - mu);
      g[0] += r;
      H[0][0] += h;
      for (let j = 0; j < d; j++) {
        const v = zi[j];
        if (v === 0) continue;
        g[j + 1] += r * v;
        const hv = h * v;
        H[0][j + 1] += hv;
        for (let k = 0; k <= j; k++) H[k + 1][j + 1] += hv * zi[k];
      }
    }
    for (let j = 1; j < p; j++) {
      g[j] += l2 * beta[j];
      H[j][j] += l2;
    }
    for (let a = 0; a < p; a++) for (let b = a + 1; b < p; b++) H[b][a] = H[a][b];
    // A tiny ridge keeps H positive definite when the intercept's column is degenerate.
    for (let a = 0; a < p; a++) H[a][a] += 1e-10;
    const step = choleskySolve(H, g);
    if (!step) throw new Error('Hessian not positive definite; increase l2');
    // Backtracking line search keeps every step a descent step (separable data).
    let t = 1;
    let next = beta.map((b, j) => b - t * step[j]);
    let fNext = objective(Z, y, next, l2, sw);
    while (fNext > f + 1e-12 && t > 1e-6) {
      t /= 2;
      next = beta.map((b, j) => b - t * step[j]);
      fNext = objective(Z, y, next, l2, sw);
    }
    const change = Math.max(...step.map((s) => Math.abs(s * t)));
    beta = next;
    const df = f - fNext;
    f = fNext;
    if (change < tol || df < tol * Math.max(1, Math.abs(f))) {
      converged = true;
      iter++;
      break;
    }
  }
  return { intercept: beta[0], weights: beta.slice(1), scaler, l2, iterations: iter, converged };
}

/** Linear score (log-odds) of a raw feature vector. */
export function logit(model: LogisticModel, x: readonly number[]): number {
  let z = model.intercept;
  for (let j = 0; j < x.length; j++) z += model.weights[j] * ((x[j] - model.scaler.mean[j]) / model.scaler.sd[j]);
  return z;
}

export function predict(model: LogisticModel, x: readonly number[]): number {
  return sigmoid(logit(model, x));
}

/** Per-feature contributions to the log-odds, relative to the training mean (weight × standardised value). */
export function contributions(model: LogisticModel, x: readonly number[]): number[] {
  return x.map((v, j) => model.weights[j] * ((v - model.scaler.mean[j]) / model.scaler.sd[j]));
}

// robots.txt matching (crawlers/platforms/web/robots.ts, issue 14.4): linear in the path whatever the
// pattern (no backtracking regex), with Google's semantics — "*" any run, final "$" the
// end, longest rule wins, Allow wins ties. Checked against a regex reference on small inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRobots, robotsAllows, robotsMatch, type RobotsRules } from '../../crawlers/platforms/web/robots';

/** Reference: the pattern as a regular expression (exponential in the worst case, fine on small inputs). */
function refMatch(path: string, pattern: string): boolean {
  const anchored = pattern.endsWith('$');
  const body = anchored ? pattern.slice(0, -1) : pattern;
  const re = new RegExp(`^${body.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[\\s\\S]*')}${anchored ? '$' : ''}`);
  return re.test(path);
}

function refAllows(rules: RobotsRules, path: string): boolean {
  let best = -1;
  let allowed = true;
  for (const p of rules.disallow) if (refMatch(path, p) && p.length > best) [best, allowed] = [p.length, false];
  for (const p of rules.allow) if (refMatch(path, p) && p.length >= best) [best, allowed] = [p.length, true];
  return allowed;
}

const alphabet = fc.constantFrom('/', 'a', 'b', '*', '$', '?', '=', '.');
const pattern = fc.array(alphabet, { maxLength: 7 }).map((cs) => `/${cs.join('')}`);
const path = fc.array(fc.constantFrom('/', 'a', 'b', '$', '?', '=', '.', '*'), { maxLength: 10 }).map((cs) => `/${cs.join('')}`);

describe('robots.txt matching', () => {
  it('matches like the regex reference (2,000 cases)', () => {
    fc.assert(fc.property(path, pattern, (p, pat) => robotsMatch(p, pat) === refMatch(p, pat)), { numRuns: 2000, seed: 3 });
  });

  it('decides like the reference: longest rule wins, Allow wins ties (1,000 rule sets)', () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 4 }), fc.array(pattern, { maxLength: 4 }), path, (allow, disallow, p) => robotsAllows({ allow, disallow }, p) === refAllows({ allow, disallow }, p)),
      { numRuns: 1000, seed: 4 },
    );
  });

  it('keeps the documented cases', () => {
    expect(robotsAllows({ allow: ['/p'], disallow: ['/'] }, '/page')).toBe(true);
    expect(robotsAllows({ allow: ['/folder'], disallow: ['/folder'] }, '/folder/page')).toBe(true); // tie: Allow
    expect(robotsAllows({ allow: ['/page'], disallow: ['/*.htm'] }, '/page.htm')).toBe(false); // /*.htm is longer
    expect(robotsAllows({ allow: ['/$'], disallow: ['/'] }, '/')).toBe(true);
    expect(robotsAllows({ allow: ['/$'], disallow: ['/'] }, '/page.htm')).toBe(false);
    expect(robotsMatch('/a$b', '/a$b')).toBe(true); // "$" before the end is a character
    expect(robotsMatch('/fish.php?id=1', '/*.php$')).toBe(false);
    expect(robotsMatch('/fish.php', '/*.php$')).toBe(true);
  });

  it('is linear: "/************Z" against a 100,000-character URL takes milliseconds', () => {
    const rules = parseRobots(`User-agent: *\nDisallow: /************Z\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b$\n`, 'ringwatch/0.1');
    const url = `/${'a'.repeat(100_000)}`;
    const t = performance.now();
    expect(robotsAllows(rules, url)).toBe(true);
    expect(robotsAllows(rules, `${url}Z`)).toBe(false);
    expect(performance.now() - t).toBeLessThan(500);
  });
});

/**
 * A plain `jest --runInBand` runs every project in one run (`npm test` splits them into two lanes,
 * scripts/test-lanes.sh, each still ordered by this); this keeps them in tiers: unit first
 * (seconds, no servers), then k8s (the Helm chart on a local kube-apiserver), then integration
 * (real sidecars), then browser (the admin console in Chromium against the whole platform), then
 * containers (the images as the chart runs them: their own ports and servers, the slowest start),
 * then the fault drill (a platform of its own).
 * Within a tier, jest's own order (slowest known first).
 */
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['unit', 'k8s', 'integration', 'browser', 'containers', 'drill'];
const tier = (test) => {
  const name = test.context.config.displayName;
  const index = ORDER.indexOf(typeof name === 'string' ? name : name?.name);
  return index < 0 ? ORDER.length : index;
};

class ProjectSequencer extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    // Array.prototype.sort is stable: jest's order survives inside each tier.
    return [...sorted].sort((a, b) => tier(a) - tier(b));
  }
}

module.exports = ProjectSequencer;

/** After the `containers` project: no container of the tier outlives the run, whatever failed. */
import { removeTierContainers } from './tier';

export default async function globalTeardown(): Promise<void> {
  const removed = await removeTierContainers();
  if (removed > 0) process.stdout.write(`containers: removed ${removed} container(s) a test file left\n`);
}

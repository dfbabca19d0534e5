import { applyPortOverrides, resolveRunFile } from '../../scripts/devstack/run-file';

const file = `
version: 1
common:
  resourcesPath: ./components
  logLevel: warn
apps:
  - appID: booking
    appDirPath: ./apps/booking
    appPort: 3000
    daprHTTPPort: 3500
    daprGRPCPort: 50001
    metricsPort: 9090
    command: ["npm", "start"]
    logLevel: debug
`;

describe('dapr.yaml run file', () => {
  it('when an app overrides a common setting, then the app wins and paths become absolute', () => {
    const [app] = resolveRunFile(file, '/repo');
    expect(app).toMatchObject({ appID: 'booking', logLevel: 'debug', resourcesPath: '/repo/components', appDirPath: '/repo/apps/booking' });
  });

  it('when the file has a field we do not honour, then it is refused rather than ignored', () => {
    expect(() => resolveRunFile(file.replace('logLevel: debug', 'appProtocol: grpc'), '/repo')).toThrow();
  });

  it('when HOLDFAST_<APP>_PORT variables are set, then they move the ports', () => {
    const [app] = resolveRunFile(file, '/repo');
    expect(applyPortOverrides(app!, { HOLDFAST_BOOKING_PORT: '4000', HOLDFAST_BOOKING_DAPR_HTTP_PORT: '4500' })).toMatchObject({ appPort: 4000, daprHTTPPort: 4500, daprGRPCPort: 50001 });
    expect(() => applyPortOverrides(app!, { HOLDFAST_BOOKING_PORT: 'x' })).toThrow(/HOLDFAST_BOOKING_PORT/);
  });
});

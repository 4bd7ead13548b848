// Test whether /proc parsing, the cluster launcher check and the report's formatting are right.
import { describe, expect, it } from 'vitest';
import { parseMachineCpu, parseStatCpuTicks } from '../../bench/cpu.js';
import { formatMs, formatRate, renderTable } from '../../bench/report.js';
import { ratio } from '../../bench/results.js';
import {
  asClusterHandle,
  asClusterModule,
  clusterPids,
  ClusterInterfaceError,
} from '../../bench/targets/cluster-info.js';
import { mosquittoConfig } from '../../bench/targets/mosquitto.js';

describe('/proc parsing', () => {
  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '1234 (node (bench) x) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0 500 0 0';
    expect(parseStatCpuTicks(stat)).toBe(325);
  });

  it('reads busy and total machine time, idle and iowait excluded from busy', () => {
    const line = 'cpu  100 0 50 800 20 0 30 0 0 0';
    expect(parseMachineCpu(line, 100)).toEqual({ busy: 1.8, total: 10 });
  });
});

describe('report formatting', () => {
  it('formats rates and latencies', () => {
    expect(formatRate(128_300)).toBe('128.3k/s');
    expect(formatRate(1_234_567)).toBe('1.23M/s');
    expect(formatRate(NaN)).toBe('-');
    expect(formatMs(0.0412)).toBe('0.041');
    expect(formatMs(92.4)).toBe('92.4');
  });

  it('aligns a table', () => {
    const text = renderTable(
      ['a', 'bb'],
      [
        ['x', '1'],
        ['yyy', '22'],
      ],
    );
    expect(text.split('\n')).toEqual(['a   | bb', '----|---', 'x   |  1', 'yyy | 22']);
  });

  it('gives no ratio without both figures', () => {
    expect(ratio(2, 4)).toBe(0.5);
    expect(ratio(NaN, 4)).toBeNaN();
    expect(ratio(2, 0)).toBeNaN();
  });
});

describe('cluster launcher interface', () => {
  const handle = {
    layout: {
      host: '127.0.0.1',
      brokers: [1, 2, 3].map((i) => ({ brokerId: `broker-${i}`, mqttPort: 2000 + i })),
    },
    brokers: [{ pid: 11 }, { pid: 12 }, { pid: undefined }],
    zookeepers: [{ pid: 21 }],
    lb: { pid: undefined },
    up: async () => undefined,
    down: async () => undefined,
  };

  it('accepts a module and cluster of the expected shape, and lists the PIDs it has', () => {
    expect(() =>
      asClusterModule({ freeLayout: () => undefined, LocalCluster: function LocalCluster() {} }),
    ).not.toThrow();
    const cluster = asClusterHandle(handle);
    expect(clusterPids(cluster)).toEqual([
      { label: 'broker-1', pid: 11 },
      { label: 'broker-2', pid: 12 },
      { label: 'zk-1', pid: 21 },
    ]);
  });

  it('refuses what lacks a part the benchmark needs', () => {
    expect(() => asClusterModule({ freeLayout: () => undefined })).toThrow(ClusterInterfaceError);
    expect(() => asClusterHandle({ ...handle, down: undefined })).toThrow(ClusterInterfaceError);
    expect(() => asClusterHandle({ ...handle, layout: { host: 'h', brokers: [{ brokerId: 'b' }] } })).toThrow(
      ClusterInterfaceError,
    );
  });
});

describe('mosquitto config', () => {
  it('listens on loopback only, anonymous, without persistence', () => {
    const config = mosquittoConfig(18830);
    expect(config).toContain('listener 18830 127.0.0.1');
    expect(config).toContain('allow_anonymous true');
    expect(config).toContain('persistence false');
  });
});

/**
 * The files one Debian ZooKeeper 3.8 server needs: zoo.cfg, myid and a log4j config that writes to a
 * file in the server's own directory. Pure text generation plus the classpath lookup; processes are
 * started by zookeeper-server.ts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** One member of an ensemble as every server's zoo.cfg names it. */
export interface ZooKeeperPeer {
  /** myid, 1-based. */
  id: number;
  host: string;
  clientPort: number;
  /** Followers connect to the leader here. */
  peerPort: number;
  /** Leader election. */
  electionPort: number;
}

export interface ZooKeeperServerOptions {
  /** This server's myid: must be one of `ensemble`. */
  id: number;
  /** The server's own directory: zoo.cfg, myid, data/, zookeeper.log, zookeeper.out, zookeeper.pid. */
  dir: string;
  /** Every server of the ensemble, this one included; one entry means standalone. */
  ensemble: ZooKeeperPeer[];
  /** ZooKeeper's base time unit; session timeouts are negotiated within 2..20 ticks. */
  tickTimeMs?: number;
  initLimit?: number;
  syncLimit?: number;
  /** Transaction log preallocation in KiB: ZooKeeper's 64 MiB default wastes disk in tests. */
  preAllocSizeKb?: number;
  heapMb?: number;
  /**
   * Committed proposals each server keeps in memory to bring a lagging follower up to date
   * (zookeeper.commitLogCount, 500 by default). Our log writes batches of up to 256 KiB: 500 of
   * them would hold 128 MiB, half of a 256 MiB heap (an ensemble under load died of it here).
   */
  commitLogCount?: number;
  /** More zoo.cfg lines (key → value). */
  extraConfig?: Record<string, string | number>;
  java?: string;
}

export const ZOOKEEPER_MAIN = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';

/**
 * Debian's zookeeper.jar carries its dependencies in its manifest's Class-Path, but not a logging
 * binding: without slf4j-log4j12 and log4j 1.2 the server logs nothing and our log4j config is
 * ignored. Only jars that exist are added (the server still runs without a binding).
 */
export function zookeeperClasspath(javaDir = '/usr/share/java'): string[] {
  const jar = join(javaDir, 'zookeeper.jar');
  if (!existsSync(jar)) {
    throw new Error(`${jar} not found: install Debian's zookeeper package (apt-get install zookeeper)`);
  }
  const logging = ['slf4j-log4j12.jar', 'log4j-1.2.jar'].map((name) => join(javaDir, name));
  return [jar, ...logging.filter((path) => existsSync(path))];
}

export function peerOf(options: ZooKeeperServerOptions): ZooKeeperPeer {
  const self = options.ensemble.find((peer) => peer.id === options.id);
  if (self === undefined) throw new Error(`server ${options.id} is not part of its ensemble`);
  return self;
}

/** zoo.cfg for one server. */
export function zooCfg(options: ZooKeeperServerOptions): string {
  const self = peerOf(options);
  const lines: [string, string | number][] = [
    ['tickTime', options.tickTimeMs ?? 2000],
    ['initLimit', options.initLimit ?? 10],
    ['syncLimit', options.syncLimit ?? 5],
    ['dataDir', join(options.dir, 'data')],
    ['clientPort', self.clientPort],
    ['clientPortAddress', self.host],
    // srvr is the readiness probe; ruok says imok even without a quorum, so it is not used for that.
    ['4lw.commands.whitelist', 'srvr,mntr,ruok,stat'],
    // The admin server would take port 8080 on every server of a local ensemble.
    ['admin.enableServer', 'false'],
    // An hour of load leaves gigabytes of transaction logs and snapshots without autopurge.
    ['autopurge.snapRetainCount', 3],
    ['autopurge.purgeInterval', 1],
    ['preAllocSize', options.preAllocSizeKb ?? 65536],
    // Brokers, proxies and tools all come from one address in a local cluster.
    ['maxClientCnxns', 0],
  ];
  if (options.ensemble.length > 1) {
    for (const peer of options.ensemble) {
      lines.push([`server.${peer.id}`, `${peer.host}:${peer.peerPort}:${peer.electionPort}`]);
    }
  }
  for (const [key, value] of Object.entries(options.extraConfig ?? {})) lines.push([key, value]);
  return lines.map(([key, value]) => `${key}=${value}`).join('\n') + '\n';
}

/** log4j 1.2 configuration: everything at INFO into zookeeper.log in the server's directory. */
export function log4jProperties(dir: string): string {
  return [
    'log4j.rootLogger=INFO, FILE',
    'log4j.appender.FILE=org.apache.log4j.RollingFileAppender',
    `log4j.appender.FILE.File=${join(dir, 'zookeeper.log')}`,
    'log4j.appender.FILE.MaxFileSize=10MB',
    'log4j.appender.FILE.MaxBackupIndex=3',
    'log4j.appender.FILE.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} %-5p [%t:%C{1}@%L] - %m%n',
    '',
  ].join('\n');
}

/** The java command line (without the executable). */
export function javaArgs(options: ZooKeeperServerOptions, classpath: string[]): string[] {
  return [
    `-Xmx${options.heapMb ?? 1024}m`,
    // One GC thread: three servers share two cores with the brokers on a laptop.
    '-XX:+UseSerialGC',
    // C1 only: three JVMs warming up on a small machine spend less CPU compiling, and the tail of a
    // create shortened (measured here: p99 9.1 -> 4.6 ms at 1k creates/s in the first seconds)
    '-XX:TieredStopAtLevel=1',
    '-Djava.net.preferIPv4Stack=true',
    `-Dzookeeper.commitLogCount=${options.commitLogCount ?? 100}`,
    `-Dlog4j.configuration=file:${join(options.dir, 'log4j.properties')}`,
    `-Dzookeeper.log.dir=${options.dir}`,
    '-cp',
    classpath.join(':'),
    ZOOKEEPER_MAIN,
    join(options.dir, 'zoo.cfg'),
  ];
}

/**
 * The one table that turns what went wrong into what the wire says (Mosquitto's read_handle.c idea).
 *
 * MQTT 5.0 carries reason codes in CONNACK, DISCONNECT and the acks (section 2.4). MQTT 3.1.1 has only
 * the six CONNACK return codes (section 3.2.2.3); anything else there is said by closing the connection.
 */

/** MQTT 5.0 reason codes used by the broker (section 2.4, table 2-6). */
export const ReasonCode = {
  Success: 0x00,
  GrantedQoS1: 0x01,
  GrantedQoS2: 0x02,
  DisconnectWithWill: 0x04,
  NoMatchingSubscribers: 0x10,
  NoSubscriptionExisted: 0x11,
  UnspecifiedError: 0x80,
  MalformedPacket: 0x81,
  ProtocolError: 0x82,
  ImplementationSpecificError: 0x83,
  UnsupportedProtocolVersion: 0x84,
  ClientIdentifierNotValid: 0x85,
  BadUserNameOrPassword: 0x86,
  NotAuthorized: 0x87,
  BadAuthenticationMethod: 0x8c,
  ServerUnavailable: 0x88,
  ServerBusy: 0x89,
  ServerShuttingDown: 0x8b,
  KeepAliveTimeout: 0x8d,
  SessionTakenOver: 0x8e,
  TopicFilterInvalid: 0x8f,
  TopicNameInvalid: 0x90,
  PacketIdentifierInUse: 0x91,
  PacketIdentifierNotFound: 0x92,
  ReceiveMaximumExceeded: 0x93,
  TopicAliasInvalid: 0x94,
  PacketTooLarge: 0x95,
  QuotaExceeded: 0x97,
  AdministrativeAction: 0x98,
  PayloadFormatInvalid: 0x99,
  RetainNotSupported: 0x9a,
  QoSNotSupported: 0x9b,
  SharedSubscriptionsNotSupported: 0x9e,
  SubscriptionIdentifiersNotSupported: 0xa1,
  WildcardSubscriptionsNotSupported: 0xa2,
} as const;
export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

/** MQTT 3.1.1 CONNACK return codes (section 3.2.2.3). */
export const ConnackReturnCode = {
  Accepted: 0,
  UnacceptableProtocolVersion: 1,
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUserNameOrPassword: 4,
  NotAuthorized: 5,
} as const;
export type ConnackReturnCode = (typeof ConnackReturnCode)[keyof typeof ConnackReturnCode];

/** Everything that can end a connection or refuse a request, by name. */
export type ErrorKind =
  | 'malformed'
  | 'protocol'
  | 'unsupported-version'
  | 'client-id-rejected'
  | 'bad-credentials'
  | 'bad-authentication-method'
  | 'not-authorized'
  | 'server-unavailable'
  | 'server-busy'
  | 'packet-too-large'
  | 'topic-name-invalid'
  | 'topic-alias-invalid'
  | 'receive-maximum-exceeded'
  | 'keep-alive-timeout'
  | 'session-taken-over'
  | 'server-shutting-down'
  | 'quota-exceeded'
  | 'administrative-action';

interface KindCodes {
  /** MQTT 5.0 reason code in CONNACK or DISCONNECT. */
  v5: ReasonCode;
  /** MQTT 3.1.1 CONNACK return code, when the error happens while connecting and 3.1.1 has one. */
  v4Connack?: ConnackReturnCode;
}

const CODES: Record<ErrorKind, KindCodes> = {
  malformed: { v5: ReasonCode.MalformedPacket },
  protocol: { v5: ReasonCode.ProtocolError },
  'unsupported-version': {
    v5: ReasonCode.UnsupportedProtocolVersion,
    v4Connack: ConnackReturnCode.UnacceptableProtocolVersion,
  },
  'client-id-rejected': {
    v5: ReasonCode.ClientIdentifierNotValid,
    v4Connack: ConnackReturnCode.IdentifierRejected,
  },
  'bad-credentials': {
    v5: ReasonCode.BadUserNameOrPassword,
    v4Connack: ConnackReturnCode.BadUserNameOrPassword,
  },
  'bad-authentication-method': { v5: ReasonCode.BadAuthenticationMethod },
  'not-authorized': { v5: ReasonCode.NotAuthorized, v4Connack: ConnackReturnCode.NotAuthorized },
  'server-unavailable': { v5: ReasonCode.ServerUnavailable, v4Connack: ConnackReturnCode.ServerUnavailable },
  'server-busy': { v5: ReasonCode.ServerBusy, v4Connack: ConnackReturnCode.ServerUnavailable },
  'packet-too-large': { v5: ReasonCode.PacketTooLarge },
  'topic-name-invalid': { v5: ReasonCode.TopicNameInvalid },
  'topic-alias-invalid': { v5: ReasonCode.TopicAliasInvalid },
  'receive-maximum-exceeded': { v5: ReasonCode.ReceiveMaximumExceeded },
  'keep-alive-timeout': { v5: ReasonCode.KeepAliveTimeout },
  'session-taken-over': { v5: ReasonCode.SessionTakenOver },
  'server-shutting-down': { v5: ReasonCode.ServerShuttingDown },
  'quota-exceeded': { v5: ReasonCode.QuotaExceeded, v4Connack: ConnackReturnCode.ServerUnavailable },
  'administrative-action': { v5: ReasonCode.AdministrativeAction },
};

/** The MQTT 5.0 reason code for an error kind. */
export function reasonCodeOf(kind: ErrorKind): ReasonCode {
  return CODES[kind].v5;
}

/** The MQTT 3.1.1 CONNACK return code for an error kind, if 3.1.1 has one. */
export function connackReturnCodeOf(kind: ErrorKind): ConnackReturnCode | undefined {
  return CODES[kind].v4Connack;
}

/** A protocol-level failure: what happened (kind) and a sentence for the log. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  /** Set on an error in a CONNECT that announced MQTT 5.0: a 5.0 CONNACK may answer it (section 4.13). */
  connectVersion?: 5;
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

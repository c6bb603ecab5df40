import type { Config } from '../../platform/config';
import type { FaultSettings } from '../shared/faults';
import type { SandboxCredentials } from './auth';

/** The sandbox accepts the same development credentials the connector is configured with. */
export const sandboxCredentials = (config: Config): SandboxCredentials => ({
  accountId: config.NETSUITE_ACCOUNT_ID,
  consumerKey: config.NETSUITE_CONSUMER_KEY,
  consumerSecret: config.NETSUITE_CONSUMER_SECRET,
  tokenId: config.NETSUITE_TOKEN_ID,
  tokenSecret: config.NETSUITE_TOKEN_SECRET,
});

export const sandboxFaults = (config: Config): FaultSettings => ({
  concurrencyLimit: config.SANDBOX_ERP_CONCURRENCY_LIMIT,
  latencyMinMs: config.SANDBOX_ERP_LATENCY_MIN_MS,
  latencyMaxMs: Math.max(config.SANDBOX_ERP_LATENCY_MAX_MS, config.SANDBOX_ERP_LATENCY_MIN_MS),
  errorRate: config.SANDBOX_ERP_ERROR_RATE,
  outages: [],
});

/** Account preferences that change how the sandbox account answers. */
export interface AccountPreferences {
  /** IANA zone of the account's time zone preference: SuiteQL renders and reads dates in it. */
  timeZone: string;
  /** "Make Locations Mandatory": a sales order line must name a location (its own or the header's). */
  locationsMandatory: boolean;
}

export const DEFAULT_ACCOUNT_PREFERENCES: AccountPreferences = {
  timeZone: 'America/Los_Angeles',
  locationsMandatory: false,
};

export const sandboxPreferences = (config: Config): AccountPreferences => ({
  timeZone: config.SANDBOX_ERP_TIME_ZONE,
  locationsMandatory: config.SANDBOX_ERP_LOCATIONS_MANDATORY,
});

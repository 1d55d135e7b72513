/** Genesys Cloud regions and their hosts (contract §1): API `https://api.<domain>`, login `https://login.<domain>`. */

/** Region id → domain, as published by Genesys. */
export const genesysRegionDomains = {
  'us-east-1': 'mypurecloud.com',
  'us-east-2': 'use2.us-gov-pure.cloud',
  'us-west-2': 'usw2.pure.cloud',
  'ca-central-1': 'cac1.pure.cloud',
  'sa-east-1': 'sae1.pure.cloud',
  'mx-central-1': 'mxc1.pure.cloud',
  'eu-west-1': 'mypurecloud.ie',
  'eu-west-2': 'euw2.pure.cloud',
  'eu-central-1': 'mypurecloud.de',
  'eu-central-2': 'euc2.pure.cloud',
  'me-central-1': 'mec1.pure.cloud',
  'ap-south-1': 'aps1.pure.cloud',
  'ap-southeast-1': 'apse1.pure.cloud',
  'ap-southeast-2': 'mypurecloud.com.au',
  'ap-northeast-1': 'mypurecloud.jp',
  'ap-northeast-2': 'apne2.pure.cloud',
  'ap-northeast-3': 'apne3.pure.cloud',
} as const;

/** Where the client sends API calls and token requests. */
export interface GenesysHosts {
  apiBaseUrl: string;
  loginBaseUrl: string;
}

/** Resolves a region id (`eu-west-1`) or a domain (`mypurecloud.ie`) to its hosts. */
export function hostsForRegion(region: string): GenesysHosts {
  const domain = (genesysRegionDomains as Record<string, string>)[region] ?? region;
  if (!Object.values(genesysRegionDomains).includes(domain as never)) {
    const known = Object.keys(genesysRegionDomains).join(', ');
    throw new Error(`unknown Genesys Cloud region "${region}": use one of ${known}, or its domain`);
  }
  return { apiBaseUrl: `https://api.${domain}`, loginBaseUrl: `https://login.${domain}` };
}

import { badInput } from '../../../lib/errors.js';
import { emailArg, nonEmptyString } from '../../../lib/validate.js';
import type { ConsentEnforcementValue, EnterpriseCustomerTable } from '../tables.js';
import { type ConsentEnforcement, unexpected } from './common.js';

// ---------------------------------------------------------------------------------------------
// Portal settings (updateEnterpriseCustomer)

/** The flags updateEnterpriseCustomer sets, by their GraphQL (and column) name. */
export const CUSTOMER_FLAGS = [
  'enableLearnerPortal',
  'enableDataSharingConsent',
  'enableAuditEnrollment',
  'hideCourseOriginalPrice',
  'enablePortalLearnerCreditManagementScreen',
  'enablePortalSubscriptionManagementScreen',
  'enablePortalCodeManagementScreen',
  'enablePortalReportingConfigScreen',
  'enablePortalSamlConfigurationScreen',
  'enablePortalLmsConfigurationsScreen',
  'enableAnalyticsScreen',
  'enableUniversalLink',
  'enableBrowseAndRequest',
] as const satisfies readonly (keyof EnterpriseCustomerTable)[];

type CustomerFlag = (typeof CUSTOMER_FLAGS)[number];

export type CustomerUpdateInput = Partial<Record<CustomerFlag, boolean | null>> & {
  enforceDataSharingConsent?: ConsentEnforcement | null;
  contactEmail?: string | null;
  replyTo?: string | null;
  senderAlias?: string | null;
  defaultLanguage?: string | null;
  brandingConfiguration?: {
    logoUrl?: string | null;
    primaryColor?: string | null;
    secondaryColor?: string | null;
    tertiaryColor?: string | null;
  } | null;
};

type SettingsColumn =
  | CustomerFlag
  | 'enforceDataSharingConsent'
  | 'contactEmail'
  | 'replyTo'
  | 'senderAlias'
  | 'defaultLanguage'
  | 'brandingLogoUrl'
  | 'brandingPrimaryColor'
  | 'brandingSecondaryColor'
  | 'brandingTertiaryColor';
export type CustomerSettings = Pick<EnterpriseCustomerTable, SettingsColumn>;

export interface CustomerUpdatePlan {
  /** Only the columns whose value changes. */
  changes: Partial<CustomerSettings>;
  /** One entry per changed field (GraphQL name), for the outbox. */
  changed: { field: string; from: unknown; to: unknown }[];
}

const HEX_COLOR = /^#[0-9A-Fa-f]{6}$/;
// BCP 47-ish, as edx-platform's language codes: en, es-419, pt-br, zh-hans.
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

function httpsUrl(value: string, name: string): string {
  const trimmed = value.trim();
  const url = URL.canParse(trimmed) ? new URL(trimmed) : null;
  if (url?.protocol !== 'https:' || !url.hostname)
    throw badInput(`${name} must be an https URL, got "${value}"`, { argument: name });
  if (trimmed.length > 1024) throw badInput(`${name} is longer than 1024 characters`, { argument: name });
  return trimmed;
}

function hexColor(value: string, name: string): string {
  if (!HEX_COLOR.test(value.trim()))
    throw badInput(`${name} must be a color #RRGGBB, got "${value}"`, { argument: name });
  return value.trim().toUpperCase();
}

/**
 * Validates an updateEnterpriseCustomer input against the customer as stored and returns only what
 * changes. Omitted fields are left alone; null clears a nullable string and is refused for flags.
 * Any invalid value throws BAD_USER_INPUT before anything is written.
 */
export function planCustomerUpdate(current: CustomerSettings, input: CustomerUpdateInput): CustomerUpdatePlan {
  const next: Partial<CustomerSettings> = {};
  for (const flag of CUSTOMER_FLAGS) {
    const value = input[flag];
    if (value === undefined) continue;
    if (value === null) throw badInput(`${flag} cannot be null`, { argument: flag });
    next[flag] = value;
  }
  if (input.enforceDataSharingConsent === null)
    throw badInput('enforceDataSharingConsent cannot be null', { argument: 'enforceDataSharingConsent' });
  if (input.enforceDataSharingConsent !== undefined)
    next.enforceDataSharingConsent = consentEnforcementValue(input.enforceDataSharingConsent);
  const text = (value: string | null | undefined, check: (v: string) => string): string | null | undefined =>
    value == null ? value : check(value);
  const email = (name: string) => (v: string) => emailArg(v, name);
  const strings: [
    SettingsColumn & ('contactEmail' | 'replyTo' | 'senderAlias' | 'defaultLanguage'),
    string | null | undefined,
  ][] = [
    ['contactEmail', text(input.contactEmail, email('contactEmail'))],
    ['replyTo', text(input.replyTo, email('replyTo'))],
    ['senderAlias', text(input.senderAlias, (v) => nonEmptyString(v, 'senderAlias'))],
    [
      'defaultLanguage',
      text(input.defaultLanguage, (v) => {
        const tag = v.trim().toLowerCase();
        if (!LANGUAGE.test(tag) || tag.length > 16)
          throw badInput(`defaultLanguage must be a language code such as en or es-419, got "${v}"`, {
            argument: 'defaultLanguage',
          });
        return tag;
      }),
    ],
  ];
  for (const [column, value] of strings) if (value !== undefined) next[column] = value;
  const branding = input.brandingConfiguration;
  if (branding === null)
    throw badInput('brandingConfiguration cannot be null (give its fields null to reset them)', {
      argument: 'brandingConfiguration',
    });
  if (branding) {
    const logo = text(branding.logoUrl, (v) => httpsUrl(v, 'brandingConfiguration.logoUrl'));
    if (logo !== undefined) next.brandingLogoUrl = logo;
    const colors = [
      ['brandingPrimaryColor', branding.primaryColor, 'primaryColor'],
      ['brandingSecondaryColor', branding.secondaryColor, 'secondaryColor'],
      ['brandingTertiaryColor', branding.tertiaryColor, 'tertiaryColor'],
    ] as const;
    for (const [column, value, name] of colors) {
      const color = text(value, (v) => hexColor(v, `brandingConfiguration.${name}`));
      if (color !== undefined) next[column] = color;
    }
  }
  if (Object.keys(next).length === 0) throw badInput('Give at least one setting to update', { argument: 'input' });

  const plan: CustomerUpdatePlan = { changes: {}, changed: [] };
  for (const [column, to] of Object.entries(next) as [SettingsColumn, CustomerSettings[SettingsColumn]][]) {
    const from = current[column];
    if (from === to) continue;
    (plan.changes as Record<string, unknown>)[column] = to;
    plan.changed.push({ field: column, from, to });
  }
  return plan;
}

function consentEnforcementValue(value: ConsentEnforcement): ConsentEnforcementValue {
  switch (value) {
    case 'AT_ENROLLMENT':
      return 'at_enrollment';
    case 'EXTERNALLY_MANAGED':
      return 'externally_managed';
    default:
      return unexpected('enforceDataSharingConsent', value);
  }
}

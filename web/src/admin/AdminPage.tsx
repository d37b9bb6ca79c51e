import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import { AdminDashboardDocument } from '../../../client/generated/graphql.js';
import { ErrorNotice, Loading, Section } from '../components.js';
import { PlanCard } from './PlanCard.js';
import { PolicyCard } from './PolicyCard.js';
import { ProgressTable } from './ProgressTable.js';

/** The admin portal: one customer's catalogs, learner credit, subscriptions and learner progress. */
export function AdminPage({ customers }: { customers: string[] }) {
  const [customerUuid, setCustomerUuid] = useState(customers[0] ?? '');
  const { data, loading, error } = useQuery(AdminDashboardDocument, { variables: { customerUuid } });
  const customer = data?.enterpriseCustomer;
  const branding = customer?.brandingConfiguration;
  return (
    <div className="admin" style={branding ? { borderTopColor: branding.primaryColor } : undefined}>
      {customers.length > 1 && (
        <label className="switcher">
          Customer{' '}
          <select
            value={customerUuid}
            onChange={(e) => {
              setCustomerUuid(e.target.value);
            }}
          >
            {customers.map((uuid) => (
              <option key={uuid} value={uuid}>
                {uuid}
              </option>
            ))}
          </select>
        </label>
      )}
      {loading && !customer && <Loading what="the customer" />}
      <ErrorNotice error={error} />
      {customer && (
        <>
          <div className="customer">
            {branding?.logoUrl && <img src={branding.logoUrl} alt="" height={40} />}
            <h1 data-testid="customer-name">{customer.name}</h1>
            <span className="muted">{customer.slug}</span>
            {branding && (
              <span className="swatches" title="Branding colours">
                {[branding.primaryColor, branding.secondaryColor, branding.tertiaryColor].map((color) => (
                  <span key={color} className="swatch" style={{ background: color }} title={color} />
                ))}
              </span>
            )}
          </div>
          <Section title="Catalogs" testId="catalogs">
            <table>
              <thead>
                <tr>
                  <th>Catalog</th>
                  <th className="num">Content items</th>
                </tr>
              </thead>
              <tbody>
                {customer.catalogs?.nodes.map((catalog) => (
                  <tr key={catalog.uuid}>
                    <td>{catalog.title}</td>
                    <td className="num">{catalog.contents.totalCount}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Learner credit" testId="policies">
            {customer.subsidyAccessPolicies?.nodes.length === 0 && <p className="muted">No policies.</p>}
            {customer.subsidyAccessPolicies?.nodes.map((policy) => (
              <PolicyCard key={policy.uuid} policy={policy} />
            ))}
          </Section>
          <Section title="Subscriptions" testId="plans">
            {customer.subscriptionPlans?.nodes.length === 0 && <p className="muted">No plans.</p>}
            {customer.subscriptionPlans?.nodes.map((plan) => (
              <PlanCard key={plan.uuid} plan={plan} />
            ))}
          </Section>
          <Section title="Learner progress" testId="progress">
            <ProgressTable customerUuid={customer.uuid} />
          </Section>
        </>
      )}
    </div>
  );
}

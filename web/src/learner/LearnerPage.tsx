import { skipToken, useMutation, useQuery } from '@apollo/client/react';
import {
  LearnerDashboardDocument,
  SetActiveEnterpriseCustomerDocument,
  ViewerDocument,
} from '../../../client/generated/graphql.js';
import { ErrorNotice, Loading, Section } from '../components.js';
import { day, usd } from '../format.js';
import { CatalogBrowser } from './CatalogBrowser.js';

/** The learner portal: the active customer, enrollments, assigned credit, license and a catalog. */
export function LearnerPage() {
  const viewer = useQuery(ViewerDocument);
  const me = viewer.data?.me;
  const customerUuid = me?.activeEnterpriseCustomer?.uuid ?? me?.enterpriseCustomers[0]?.uuid;
  const { data, loading, error } = useQuery(
    LearnerDashboardDocument,
    customerUuid ? { variables: { customerUuid } } : skipToken,
  );
  const [switchTo, switching] = useMutation(SetActiveEnterpriseCustomerDocument, {
    refetchQueries: [ViewerDocument, LearnerDashboardDocument],
    awaitRefetchQueries: true,
  });
  if (viewer.loading && !me) return <Loading what="your access" />;
  if (!me || !customerUuid) return <p className="notice">You are not linked to any customer yet.</p>;
  const dashboard = data?.me;
  const active = dashboard?.activeEnterpriseCustomer;
  const enrollments = dashboard?.enrollments.nodes.filter((e) => e.enterpriseCustomerUuid === customerUuid) ?? [];
  const assignments =
    active?.subsidyAccessPolicies?.nodes.flatMap((p) => p.assignmentConfiguration?.assignments.nodes ?? []) ?? [];
  const license = data?.myLicenses.nodes[0];
  return (
    <div
      className="learner"
      style={
        active?.brandingConfiguration.primaryColor
          ? { borderTopColor: active.brandingConfiguration.primaryColor }
          : undefined
      }
    >
      <div className="customer">
        {active?.brandingConfiguration.logoUrl && <img src={active.brandingConfiguration.logoUrl} alt="" height={40} />}
        <h1 data-testid="active-customer">{active?.name ?? me.activeEnterpriseCustomer?.name}</h1>
        {me.enterpriseCustomers.length > 1 && (
          <label className="switcher">
            Switch customer{' '}
            <select
              value={customerUuid}
              disabled={switching.loading}
              onChange={(e) =>
                void switchTo({ variables: { input: { enterpriseCustomerUuid: e.target.value } } }).catch(
                  () => undefined,
                )
              }
            >
              {me.enterpriseCustomers.map((c) => (
                <option key={c.uuid} value={c.uuid}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      <ErrorNotice error={error ?? switching.error} />
      {loading && !dashboard && <Loading what="your dashboard" />}
      {dashboard && (
        <>
          <Section title="My enrollments" testId="enrollments">
            {enrollments.length === 0 ? (
              <p className="muted">No enrollments yet: pick a course below.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Course run</th>
                    <th>Mode</th>
                    <th>Status</th>
                    <th>Paid by</th>
                    <th>Enrolled</th>
                  </tr>
                </thead>
                <tbody>
                  {enrollments.map((e) => (
                    <tr key={e.id} data-testid={`enrollment-${e.courseRunKey}`}>
                      <td>{e.courseRun?.title ?? e.courseRunKey}</td>
                      <td>{e.mode}</td>
                      <td>
                        {e.unenrolled
                          ? 'unenrolled'
                          : e.savedForLater
                            ? 'saved for later'
                            : e.isActive
                              ? 'active'
                              : 'inactive'}
                      </td>
                      <td>
                        {e.fulfillment
                          ? e.fulfillment.fulfillmentType.toLowerCase().replace('_', ' ') +
                            (e.fulfillment.isRevoked ? ' (revoked)' : '')
                          : '—'}
                      </td>
                      <td>{day(e.created)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Assigned to me" testId="my-assignments">
            {assignments.length === 0 ? (
              <p className="muted">No assignments.</p>
            ) : (
              <ul>
                {assignments.map((a) => (
                  <li key={a.uuid}>
                    {a.contentTitle ?? a.contentKey} — {usd(Math.abs(a.contentQuantity))}, {a.state.toLowerCase()}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          <Section title="My license" testId="my-license">
            {license ? (
              <p>
                {license.subscriptionPlan.title}: {license.status.toLowerCase()}, plan ends{' '}
                {day(license.subscriptionPlan.expirationDate)}
              </p>
            ) : (
              <p className="muted">No subscription license.</p>
            )}
          </Section>
          <Section title="Browse courses" testId="browse">
            <CatalogBrowser
              customerUuid={customerUuid}
              catalogs={active?.catalogs?.nodes ?? []}
              enrolledRuns={new Set(enrollments.filter((e) => !e.unenrolled).map((e) => e.courseRunKey))}
            />
          </Section>
        </>
      )}
    </div>
  );
}

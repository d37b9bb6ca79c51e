import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type SubmitEvent } from 'react';
import {
  AdminDashboardDocument,
  AssignLicensesDocument,
  PlanLicensesDocument,
  RevokeLicensesDocument,
  type PlanCountsFragment,
} from '../../../client/generated/graphql.js';
import { ErrorNotice, Pager } from '../components.js';
import { day } from '../format.js';

const PAGE = 10;
const refetch = { refetchQueries: [AdminDashboardDocument, PlanLicensesDocument], awaitRefetchQueries: true };

/** One subscription plan: its license counts, the assign form and the licenses with revoke. */
export function PlanCard({ plan }: { plan: PlanCountsFragment }) {
  const counts = plan.licenseCounts;
  const [emails, setEmails] = useState('');
  const [assign, assigning] = useMutation(AssignLicensesDocument, refetch);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const userEmails = emails.split(/[\s,;]+/).filter(Boolean);
    void assign({ variables: { input: { subscriptionPlanUuid: plan.uuid, userEmails, notifyUsers: false } } })
      .then(() => {
        setEmails('');
      })
      .catch(() => undefined); // shown through `error`
  };
  return (
    <article className="card" data-testid={`plan-${plan.uuid}`}>
      <h3>
        {plan.title} <span className="muted">until {day(plan.expirationDate)}</span>
        {!plan.isCurrent && <span className="badge">not current</span>}
      </h3>
      <dl className="figures">
        {(['total', 'allocated', 'activated', 'assigned', 'unassigned', 'revoked'] as const).map((name) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd data-testid={`licenses-${name}`}>{counts[name]}</dd>
          </div>
        ))}
      </dl>
      <form className="inline" onSubmit={submit} aria-label="Assign licenses">
        <input
          aria-label="Emails to assign"
          placeholder="learner emails"
          value={emails}
          onChange={(e) => {
            setEmails(e.target.value);
          }}
          required
        />
        <button type="submit" disabled={assigning.loading}>
          Assign
        </button>
        {assigning.data && (
          <span className="ok" role="status">
            {assigning.data.assignLicenses.numSuccessfulAssignments} assigned,{' '}
            {assigning.data.assignLicenses.numAlreadyAssociated} already had one
          </span>
        )}
        <ErrorNotice error={assigning.error} />
      </form>
      <Licenses planUuid={plan.uuid} />
    </article>
  );
}

function Licenses({ planUuid }: { planUuid: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const { data, error } = useQuery(PlanLicensesDocument, {
    variables: { planUuid, status: ['ASSIGNED', 'ACTIVATED'], first: PAGE, after: cursors.at(-1) ?? null },
  });
  const [revoke, revoking] = useMutation(RevokeLicensesDocument, refetch);
  const connection = data?.subscriptionPlan?.licenses;
  return (
    <>
      <ErrorNotice error={error ?? revoking.error} />
      {connection && (
        <table data-testid="licenses">
          <thead>
            <tr>
              <th>Learner</th>
              <th>Status</th>
              <th>Assigned</th>
              <th>Activated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {connection.nodes.map((license) => (
              <tr key={license.uuid}>
                <td>{license.userEmail}</td>
                <td>{license.status.toLowerCase()}</td>
                <td>{day(license.assignedDate)}</td>
                <td>{day(license.activationDate)}</td>
                <td>
                  {license.userEmail && (
                    <button
                      onClick={() =>
                        void revoke({
                          variables: {
                            input: { subscriptionPlanUuid: planUuid, userEmails: [license.userEmail ?? ''] },
                          },
                        }).catch(() => undefined)
                      }
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
          <caption>{connection.totalCount} assigned or activated licenses</caption>
        </table>
      )}
      {connection && (
        <Pager
          cursors={cursors}
          endCursor={connection.pageInfo.endCursor}
          hasNextPage={connection.pageInfo.hasNextPage}
          onChange={setCursors}
        />
      )}
    </>
  );
}

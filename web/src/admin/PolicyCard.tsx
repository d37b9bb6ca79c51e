import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type SubmitEvent } from 'react';
import {
  AdminDashboardDocument,
  AllocateAssignmentsDocument,
  CancelAssignmentsDocument,
  PolicyAssignmentsDocument,
  RemindAssignmentsDocument,
  type PolicyBalanceFragment,
} from '../../../client/generated/graphql.js';
import { ErrorNotice, Pager } from '../components.js';
import { day, usd } from '../format.js';

const PAGE = 10;

/** One policy: its balances and, for assigned credit, the allocate form and its assignments. */
export function PolicyCard({ policy }: { policy: PolicyBalanceFragment }) {
  const { aggregates } = policy;
  const configUuid = policy.assignmentConfiguration?.uuid;
  return (
    <article className="card" data-testid={`policy-${policy.uuid}`}>
      <h3>
        {policy.displayName ?? policy.uuid} <span className="muted">{policy.accessMethod.toLowerCase()}</span>
        {!policy.active && <span className="badge">inactive</span>}
      </h3>
      <dl className="figures">
        <div>
          <dt>Spend available</dt>
          <dd data-testid="spend-available">{usd(aggregates.spendAvailableUsdCents)}</dd>
        </div>
        <div>
          <dt>Redeemed</dt>
          <dd data-testid="redeemed">{usd(aggregates.amountRedeemedUsdCents)}</dd>
        </div>
        <div>
          <dt>Allocated</dt>
          <dd data-testid="allocated">{usd(aggregates.amountAllocatedUsdCents)}</dd>
        </div>
        <div>
          <dt>Spend limit</dt>
          <dd>{usd(policy.spendLimitCents)}</dd>
        </div>
      </dl>
      {configUuid && <AllocateForm policyUuid={policy.uuid} />}
      {configUuid && <Assignments configUuid={configUuid} />}
    </article>
  );
}

function AllocateForm({ policyUuid }: { policyUuid: string }) {
  const [emails, setEmails] = useState('');
  const [contentKey, setContentKey] = useState('');
  const [price, setPrice] = useState('');
  const [allocate, { loading, error, data }] = useMutation(AllocateAssignmentsDocument, {
    // The balances and the assignment list both change: read them again from the graph.
    refetchQueries: [AdminDashboardDocument, PolicyAssignmentsDocument],
    awaitRefetchQueries: true,
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void allocate({
      variables: {
        input: {
          policyUuid,
          learnerEmails: emails.split(/[\s,;]+/).filter(Boolean),
          contentKey: contentKey.trim(),
          contentPriceCents: Math.round(Number(price) * 100),
        },
      },
    }).catch(() => undefined); // shown through `error`
  };
  const result = data?.allocateAssignments;
  return (
    <form className="inline" onSubmit={submit} aria-label="Allocate">
      <input
        aria-label="Learner emails"
        placeholder="learner emails"
        value={emails}
        onChange={(e) => {
          setEmails(e.target.value);
        }}
        required
      />
      <input
        aria-label="Content key"
        placeholder="course key"
        value={contentKey}
        onChange={(e) => {
          setContentKey(e.target.value);
        }}
        required
      />
      <input
        aria-label="Price (USD)"
        placeholder="price USD"
        inputMode="decimal"
        value={price}
        onChange={(e) => {
          setPrice(e.target.value);
        }}
        required
      />
      <button type="submit" disabled={loading}>
        Allocate
      </button>
      {result && (
        <span className="ok" role="status">
          {result.created.length} created, {result.updated.length} updated, {result.noChange.length} unchanged
        </span>
      )}
      <ErrorNotice error={error} />
    </form>
  );
}

function Assignments({ configUuid }: { configUuid: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const { data, error } = useQuery(PolicyAssignmentsDocument, {
    variables: { assignmentConfigurationUuid: configUuid, first: PAGE, after: cursors.at(-1) ?? null },
  });
  const refetch = { refetchQueries: [AdminDashboardDocument, PolicyAssignmentsDocument], awaitRefetchQueries: true };
  const [remind, reminding] = useMutation(RemindAssignmentsDocument, refetch);
  const [cancel, cancelling] = useMutation(CancelAssignmentsDocument, refetch);
  const connection = data?.assignmentConfiguration?.assignments;
  const input = (uuid: string) => ({
    variables: { input: { assignmentConfigurationUuid: configUuid, assignmentUuids: [uuid] } },
  });
  return (
    <>
      <ErrorNotice error={error ?? reminding.error ?? cancelling.error} />
      {connection && (
        <table data-testid="assignments">
          <thead>
            <tr>
              <th>Learner</th>
              <th>Content</th>
              <th className="num">Price</th>
              <th>State</th>
              <th>Allocated</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {connection.nodes.map((a) => (
              <tr key={a.uuid}>
                <td>{a.learnerEmail}</td>
                <td>{a.contentTitle ?? a.contentKey}</td>
                <td className="num">{usd(a.contentQuantity < 0 ? -a.contentQuantity : a.contentQuantity)}</td>
                <td>{(a.learnerState ?? a.state).toLowerCase()}</td>
                <td>{day(a.allocatedAt)}</td>
                <td>
                  {a.state === 'ALLOCATED' && (
                    <>
                      <button onClick={() => void remind(input(a.uuid)).catch(() => undefined)}>Remind</button>{' '}
                      <button onClick={() => void cancel(input(a.uuid)).catch(() => undefined)}>Cancel</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
          <caption>{connection.totalCount} assignments</caption>
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

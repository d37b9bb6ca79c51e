import { useQuery } from '@apollo/client/react';
import { useState } from 'react';
import {
  LearnerProgressDocument,
  type LearnerProgressOrderField,
  type OrderDirection,
  type ProgressStatus,
} from '../../../client/generated/graphql.js';
import { ErrorNotice, Loading, Pager } from '../components.js';
import { day } from '../format.js';

const PAGE_SIZES = [3, 10, 25] as const;
const ORDER_FIELDS: LearnerProgressOrderField[] = [
  'ENROLLMENT_DATE',
  'LAST_ACTIVITY_DATE',
  'USER_EMAIL',
  'COURSE_TITLE',
  'PROGRESS_STATUS',
];
const STATUSES: ProgressStatus[] = ['IN_PROGRESS', 'PASSED', 'FAILED'];

/** The learner-progress report: search and status filters, ordering, cursor paging. */
export function ProgressTable({ customerUuid }: { customerUuid: string }) {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<ProgressStatus | ''>('');
  const [field, setField] = useState<LearnerProgressOrderField>('ENROLLMENT_DATE');
  const [direction, setDirection] = useState<OrderDirection>('DESC');
  const [pageSize, setPageSize] = useState<number>(10);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const restart = () => {
    setCursors([null]);
  };
  const { data, loading, error } = useQuery(LearnerProgressDocument, {
    variables: {
      customerUuid,
      filter: { ...(search.trim() ? { search: search.trim() } : {}), ...(status ? { progressStatus: status } : {}) },
      orderBy: { field, direction },
      first: pageSize,
      after: cursors.at(-1) ?? null,
    },
  });
  const connection = data?.enterpriseCustomer?.learnerProgress;
  return (
    <>
      <div className="filters">
        <input
          aria-label="Search learners"
          placeholder="search email or course"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            restart();
          }}
        />
        <select
          aria-label="Progress status"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as ProgressStatus | '');
            restart();
          }}
        >
          <option value="">any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.toLowerCase().replace('_', ' ')}
            </option>
          ))}
        </select>
        <select
          aria-label="Order by"
          value={field}
          onChange={(e) => {
            setField(e.target.value as LearnerProgressOrderField);
            restart();
          }}
        >
          {ORDER_FIELDS.map((f) => (
            <option key={f} value={f}>
              {f.toLowerCase().replaceAll('_', ' ')}
            </option>
          ))}
        </select>
        <select
          aria-label="Rows per page"
          value={pageSize}
          onChange={(e) => {
            setPageSize(Number(e.target.value));
            restart();
          }}
        >
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size} rows
            </option>
          ))}
        </select>
        <button
          aria-label="Order direction"
          onClick={() => {
            setDirection(direction === 'ASC' ? 'DESC' : 'ASC');
            restart();
          }}
        >
          {direction === 'ASC' ? '↑ ascending' : '↓ descending'}
        </button>
      </div>
      {loading && !connection && <Loading what="learner progress" />}
      <ErrorNotice error={error} />
      {connection && (
        <>
          <table data-testid="progress-table">
            <thead>
              <tr>
                <th>Learner</th>
                <th>Course</th>
                <th>Status</th>
                <th className="num">Grade</th>
                <th>Enrolled</th>
                <th>Last activity</th>
              </tr>
            </thead>
            <tbody>
              {connection.edges.map(({ node: row }) => (
                <tr key={row.enrollmentId}>
                  <td>{row.userEmail}</td>
                  <td>{row.courseTitle ?? row.courserunKey}</td>
                  <td>{row.progressStatus.toLowerCase().replace('_', ' ')}</td>
                  <td className="num">{row.currentGrade === null ? '—' : row.currentGrade.toFixed(2)}</td>
                  <td>{day(row.enrollmentDate)}</td>
                  <td>{day(row.lastActivityDate)}</td>
                </tr>
              ))}
            </tbody>
            <caption>{connection.totalCount} enrollments</caption>
          </table>
          <Pager
            cursors={cursors}
            endCursor={connection.pageInfo.endCursor}
            hasNextPage={connection.pageInfo.hasNextPage}
            onChange={setCursors}
          />
        </>
      )}
    </>
  );
}

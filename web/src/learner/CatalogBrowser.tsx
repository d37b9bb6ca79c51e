import { skipToken, useMutation, useQuery } from '@apollo/client/react';
import { useState } from 'react';
import {
  CatalogCoursesDocument,
  EnrollInCourseDocument,
  LearnerDashboardDocument,
} from '../../../client/generated/graphql.js';
import { ErrorNotice, Loading, Pager } from '../components.js';
import { day } from '../format.js';

const PAGE = 8;

/** A catalog's courses with an "Enroll" button on each course's advertised run. */
export function CatalogBrowser({
  customerUuid,
  catalogs,
  enrolledRuns,
}: {
  customerUuid: string;
  catalogs: { uuid: string; title: string }[];
  enrolledRuns: Set<string>;
}) {
  const [catalogUuid, setCatalogUuid] = useState(catalogs[0]?.uuid ?? '');
  const [search, setSearch] = useState('');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const { data, loading, error } = useQuery(
    CatalogCoursesDocument,
    catalogUuid
      ? {
          variables: {
            catalogUuid,
            ...(search.trim() ? { search: search.trim() } : {}),
            first: PAGE,
            after: cursors.at(-1) ?? null,
          },
        }
      : skipToken,
  );
  const [enroll, enrolling] = useMutation(EnrollInCourseDocument, {
    refetchQueries: [LearnerDashboardDocument],
    awaitRefetchQueries: true,
  });
  if (!catalogUuid) return <p className="muted">Your organization has no catalog.</p>;
  const connection = data?.enterpriseCatalog?.contents;
  return (
    <>
      <div className="filters">
        <select
          aria-label="Catalog"
          value={catalogUuid}
          onChange={(e) => {
            setCatalogUuid(e.target.value);
            setCursors([null]);
          }}
        >
          {catalogs.map((c) => (
            <option key={c.uuid} value={c.uuid}>
              {c.title}
            </option>
          ))}
        </select>
        <input
          aria-label="Search courses"
          placeholder="search courses"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setCursors([null]);
          }}
        />
      </div>
      {loading && !connection && <Loading what="courses" />}
      <ErrorNotice error={error ?? enrolling.error} />
      {connection && (
        <ul className="courses">
          {connection.nodes.map((item) => {
            if (item.__typename !== 'Course') return null;
            const run = item.advertisedCourseRun;
            const enrolled = run ? enrolledRuns.has(run.key) : false;
            return (
              <li key={item.key} data-testid={`course-${item.key}`}>
                <strong>{item.title ?? item.key}</strong> <span className="muted">{item.key}</span>
                {run && (
                  <div>
                    <span className="muted">
                      {run.key}, starts {day(run.start)}, modes {run.courseModes.map((m) => m.slug).join(', ') || '—'}
                    </span>{' '}
                    {enrolled ? (
                      <span className="badge">Enrolled</span>
                    ) : (
                      <button
                        disabled={enrolling.loading}
                        onClick={() =>
                          void enroll({
                            variables: { input: { enterpriseCustomerUuid: customerUuid, courseRunKey: run.key } },
                          }).catch(() => undefined)
                        }
                      >
                        Enroll
                      </button>
                    )}
                  </div>
                )}
              </li>
            );
          })}
        </ul>
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

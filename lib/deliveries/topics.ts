/**
 * The event bus topics the graph publishes on (README, "Events and email"); each is one Redis
 * stream, `<EVENT_BUS_TOPIC_PREFIX>-<topic>`.
 */
export const TOPICS = {
  /** enterprise-subsidy's topic: `subsidy_ledger_transaction.created/committed/failed/reversed.v1`. */
  transactions: 'enterprise-subsidies-transaction-lifecycle',
  /** openedx-events' `learner_credit_course_enrollment.revoked.v1`. */
  learnerCreditEnrollments: 'learner-credit-course-enrollment-lifecycle',
  /** edx-platform's `course.enrollment.created/changed.v1` and `course.unenrollment.completed.v1`. */
  courseEnrollments: 'learning-course-enrollment-lifecycle',
} as const;

export const ALL_TOPICS: readonly string[] = Object.values(TOPICS);

/**
 * Identifiers of the demo data that more than one subgraph's demo data refers to. The seeds'
 * example objects keep their ids; ids the seeds point at without showing
 * the object (a policy's customer, a plan's catalog, ...) are created under those ids.
 */
export const DEMO = {
  customers: {
    /** "Seal Team Ten": the demo customer `npm start` prints an admin token for. */
    sealTeamTen: '9265c76d-224a-4333-9d6a-8651d5b7c442',
    /** Dusenbery Devices: owner of catalog fcbb8cc6 in the seed's course/run examples. */
    dusenberyDevices: '40709edf-3748-4fcf-aa18-99abd765b692',
    /** Customer of the seed's example policy 7f344aea. */
    policyExample: '66b5922b-a22b-4a7b-b587-d4af0378bd6f',
    /** Customer of the seed's example subscription plan 104b1785. */
    planExample: '204b1785-2d3a-2000-248d-2ae7a56e6355',
    /** Customer of the seed's example learner-summary row. */
    summaryExample: '58152f7f-6d0e-41cf-862d-0a27c6fad72c',
    /** A customer nobody in the demo tokens belongs to: tenant-isolation tests read it. */
    foreign: 'f0f0f0f0-0000-4000-8000-000000000001',
  },
  catalogs: {
    /** Catalog of the seed's enrollment URLs (customer Dusenbery Devices). */
    dusenbery: 'fcbb8cc6-85f5-427e-b154-4055fdd69472',
    /** Catalog of the seed's example policy. */
    policyExample: '101989c0-5dfa-4e0b-91dc-01f590148c6f',
    /** Catalog of the seed's example subscription plan. */
    planExample: '304b1785-3d3a-3000-348d-3ae7a56e6355',
    sealTeamTenAll: '5ea17ea0-0000-4000-8000-000000000001',
    sealTeamTenBusiness: '5ea17ea0-0000-4000-8000-000000000002',
    foreign: 'f0f0f0f0-0000-4000-8000-0000000000ca',
  },
  content: {
    courseKey: 'edx+tr1012',
    courseUuid: '04d8eb8e-7773-42b3-97fc-a42f8266e1e5',
    courseRunKey: 'course-v1:edx+tr1012+1T2021',
    courseRunUuid: '293e187e-c1d7-42cf-85b7-760e98a6f02d',
    harvardRunKey: 'course-v1:HarvardX+FIH+3T2023',
    programUuid: 'fcfe93c3-9123-4a58-a190-8614c96b8eab',
  },
  policies: {
    example: '7f344aea-c28c-4ef0-95e6-fb6e58f98495',
    exampleAssignmentConfiguration: '6fc7ef56-d1c4-4aa8-a649-e6eb209f7668',
  },
  plans: {
    example: '104b1785-1d3a-1000-148d-1ae7a56e6355',
  },
  users: {
    /** LMS user of the demo learner token. */
    learnerId: 3,
    learnerEmail: 'learner@sealteamten.example.com',
    adminId: 2,
    adminEmail: 'admin@sealteamten.example.com',
    operatorId: 1,
    operatorEmail: 'operator@edx.example.com',
  },
  /**
   * LMS users the customers subgraph's demo data creates and links (lmsUserId -> email, customer).
   * Other subgraphs' demo data (assignments, transactions, licenses) refer to these.
   */
  learners: [
    { lmsUserId: 2, email: 'admin@sealteamten.example.com', customer: '9265c76d-224a-4333-9d6a-8651d5b7c442' },
    { lmsUserId: 3, email: 'learner@sealteamten.example.com', customer: '9265c76d-224a-4333-9d6a-8651d5b7c442' },
    { lmsUserId: 4, email: 'alice@sealteamten.example.com', customer: '9265c76d-224a-4333-9d6a-8651d5b7c442' },
    { lmsUserId: 5, email: 'bob@sealteamten.example.com', customer: '9265c76d-224a-4333-9d6a-8651d5b7c442' },
    { lmsUserId: 10, email: 'gob@bluth.example.com', customer: '66b5922b-a22b-4a7b-b587-d4af0378bd6f' },
    { lmsUserId: 11, email: 'lindsay@bluth.example.com', customer: '66b5922b-a22b-4a7b-b587-d4af0378bd6f' },
    { lmsUserId: 20, email: 'peter@initech.example.com', customer: '204b1785-2d3a-2000-248d-2ae7a56e6355' },
    { lmsUserId: 21, email: 'milton@initech.example.com', customer: '204b1785-2d3a-2000-248d-2ae7a56e6355' },
    { lmsUserId: 30, email: 'learner@dusenbery.example.com', customer: '40709edf-3748-4fcf-aa18-99abd765b692' },
    { lmsUserId: 90, email: 'worker@umbrella.example.com', customer: 'f0f0f0f0-0000-4000-8000-000000000001' },
  ],
  /** The seed's allocate example: an email with no LMS account yet. */
  pendingLearnerEmail: 'abc@example.com',
} as const;

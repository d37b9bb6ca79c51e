/**
 * The three example objects of the catalog REST API, verbatim as the REST API returns
 * them (snake_case, prices as decimal strings). demo-data.ts stores them through the same
 * converters as the generated content, and the tests compare query results with these values.
 */

export const SEED_COURSE = {
  "key": "edx+tr1012",
  "uuid": "04d8eb8e-7773-42b3-97fc-a42f8266e1e5",
  "title": "Trench Run 10",
  "course_runs": [
    {
      "key": "course-v1:edx+tr1012+1T2021",
      "uuid": "293e187e-c1d7-42cf-85b7-760e98a6f02d",
      "title": "Trench Run 10",
      "external_key": "",
      "image": {
        "src": "https://stage-discovery.edx-cdn.org/media/course/image/04d8eb8e-7773-42b3-97fc-a42f8266e1e5-5daa73db36a3.small.png",
        "description": null,
        "height": null,
        "width": null
      },
      "short_description": "<p>t</p>",
      "marketing_url": "https://stage.edx.org/course/trench-run-10-course-v1edxtr10121t2021?utm_source=lms_catalog_service_user&utm_medium=affiliate_partner",
      "seats": [
        {
          "type": "audit",
          "price": "0.00",
          "currency": "USD",
          "upgrade_deadline": null,
          "upgrade_deadline_override": null,
          "credit_provider": null,
          "credit_hours": null,
          "sku": "4A19EC2",
          "bulk_sku": null
        },
        {
          "type": "verified",
          "price": "100.00",
          "currency": "USD",
          "upgrade_deadline": "2030-09-05T23:59:59Z",
          "upgrade_deadline_override": null,
          "credit_provider": null,
          "credit_hours": null,
          "sku": "DE707ED",
          "bulk_sku": "8BA9C3A"
        }
      ],
      "start": "2022-04-12T16:00:00Z",
      "end": "2090-09-15T16:00:00Z",
      "go_live_date": "2021-04-22T04:00:00Z",
      "enrollment_start": null,
      "enrollment_end": null,
      "weeks_to_complete": 3,
      "pacing_type": "instructor_paced",
      "type": "verified",
      "run_type": "946d043a-7b2c-414d-a106-8b7761e86eba",
      "status": "published",
      "is_enrollable": true,
      "is_marketable": true,
      "availability": "Current",
      "variant_id": null,
      "course": "edx+tr1012",
      "full_description": "<p>t</p>",
      "announcement": "2021-04-22T16:19:27.987040Z",
      "video": null,
      "content_language": "en-us",
      "license": "",
      "outcome": "<p>t</p>",
      "transcript_languages": [
        "en-us"
      ],
      "instructors": [],
      "staff": [
        {
          "uuid": "16a4422b-55f2-45eb-81da-ac1d0655d065",
          "salutation": null,
          "given_name": "New",
          "family_name": "Instructor1",
          "bio": "",
          "slug": "new-instructor1",
          "position": {
            "title": "Dr",
            "organization_name": "edX",
            "organization_id": 11,
            "organization_override": null,
            "organization_marketing_url": "https://stage.edx.org/school/edx",
            "organization_uuid": "4f8cb2c9-589b-4d1e-88c1-b01a02db3a9c",
            "organization_logo_image_url": "https://stage-discovery.edx-cdn.org/organization/logos/4f8cb2c9-589b-4d1e-88c1-b01a02db3a9c-086cef28bdf5.png"
          },
          "areas_of_expertise": [],
          "profile_image": {
            "medium": {
              "url": "https://stage-discovery.edx-cdn.org/media/people/profile_images/16a4422b-55f2-45eb-81da-ac1d0655d065.medium.png",
              "width": 110,
              "height": 110
            }
          },
          "works": [],
          "urls": {
            "facebook": "adding fb url",
            "twitter": null,
            "blog": null
          },
          "urls_detailed": [
            {
              "id": 9,
              "type": "facebook",
              "title": "",
              "display_title": "Facebook",
              "url": "adding fb url"
            }
          ],
          "email": null,
          "profile_image_url": "https://stage-discovery.edx-cdn.org/media/people/profile_images/16a4422b-55f2-45eb-81da-ac1d0655d065.png",
          "major_works": "",
          "published": false
        }
      ],
      "min_effort": 1,
      "max_effort": 2,
      "modified": "2024-01-12T16:45:17.436871Z",
      "level_type": "Introductory",
      "mobile_available": false,
      "hidden": false,
      "reporting_type": "mooc",
      "eligible_for_financial_aid": true,
      "first_enrollable_paid_seat_price": 100,
      "has_ofac_restrictions": false,
      "ofac_comment": "",
      "enrollment_count": 3,
      "recent_enrollment_count": 3,
      "expected_program_type": null,
      "expected_program_name": "",
      "course_uuid": "04d8eb8e-7773-42b3-97fc-a42f8266e1e5",
      "estimated_hours": 4.5,
      "content_language_search_facet_name": "English",
      "enterprise_subscription_inclusion": false,
      "enrollment_url": "https://courses.stage.edx.org/enterprise/40709edf-3748-4fcf-aa18-99abd765b692/course/course-v1:edx+tr1012+1T2021/enroll/?catalog=fcbb8cc6-85f5-427e-b154-4055fdd69472&utm_medium=enterprise&utm_source=dusenbery-devices"
    }
  ],
  "entitlements": [
    {
      "mode": "verified",
      "price": "100.00",
      "currency": "USD",
      "sku": "0E5F108",
      "expires": null
    }
  ],
  "owners": [
    {
      "uuid": "4f8cb2c9-589b-4d1e-88c1-b01a02db3a9c",
      "key": "edx",
      "name": "edX",
      "auto_generate_course_run_keys": false,
      "certificate_logo_image_url": "https://stage-discovery.edx-cdn.org/organization/certificate_logos/4f8cb2c9-589b-4d1e-88c1-b01a02db3a9c-80a7fb4abe88.png",
      "logo_image_url": "https://stage-discovery.edx-cdn.org/organization/logos/4f8cb2c9-589b-4d1e-88c1-b01a02db3a9c-086cef28bdf5.png",
      "organization_hex_color": null,
      "data_modified_timestamp": null,
      "description": "<p>EdX is a non-profit created by founding partners Harvard and MIT. We're bringing the best of higher education to students around the world. EdX offers MOOCs and interactive online classes in subjects including law, history, science, engineering, business, social sciences, computer science, public health, and artificial intelligence (AI).</p>",
      "description_es": "",
      "homepage_url": null,
      "tags": [
        "charter"
      ],
      "marketing_url": "https://stage.edx.org/school/edx",
      "slug": "edx",
      "banner_image_url": "https://stage-discovery.edx-cdn.org/organization/banner_images/4f8cb2c9-589b-4d1e-88c1-b01a02db3a9c-86aa2499c053.png",
      "enterprise_subscription_inclusion": false
    }
  ],
  "image": {
    "src": "https://stage-discovery.edx-cdn.org/media/course/image/04d8eb8e-7773-42b3-97fc-a42f8266e1e5-5daa73db36a3.small.png",
    "description": null,
    "height": null,
    "width": null
  },
  "short_description": "<p>t</p>",
  "type": "69b8a063-e5fb-4a91-96d6-e50c8335c5da",
  "url_slug": "trench-run-10",
  "course_type": "verified-audit",
  "enterprise_subscription_inclusion": false,
  "excluded_from_seo": false,
  "excluded_from_search": false,
  "full_description": "<p>t</p>",
  "level_type": "Introductory",
  "subjects": [
    {
      "name": "Social Sciences",
      "subtitle": "<p>Learn about the social sciences and more from the best universities and institutions around the world.</p>",
      "description": "<p>Enroll in free online courses in the social sciences including sociology, political science, human geography, demography and more. Learn about the science of happiness or the history and effect of social programs. Courses are available from major universities worldwide.</p>",
      "banner_image_url": "https://stage.edx.org/sites/default/files/social-sciences-1440x210.jpg",
      "card_image_url": "https://stage.edx.org/sites/default/files/subject/image/card/social-sciences.jpg",
      "slug": "social-sciences",
      "uuid": "eefb009b-0a02-49e9-b1b1-249982b6ce86"
    }
  ],
  "prerequisites": [],
  "prerequisites_raw": null,
  "expected_learning_items": [],
  "video": null,
  "sponsors": [],
  "modified": "2024-01-12T16:45:17.341223Z",
  "marketing_url": "https://stage.edx.org/course/trench-run-10?utm_source=lms_catalog_service_user&utm_medium=affiliate_partner",
  "syllabus_raw": null,
  "outcome": "<p>t</p>",
  "original_image": {
    "src": "https://stage-discovery.edx-cdn.org/media/course/image/04d8eb8e-7773-42b3-97fc-a42f8266e1e5-5daa73db36a3.png",
    "description": null,
    "height": null,
    "width": null
  },
  "card_image_url": null,
  "canonical_course_run_key": "course-v1:edx+tr1012+1T2021",
  "extra_description": null,
  "additional_information": null,
  "additional_metadata": null,
  "faq": null,
  "learner_testimonials": null,
  "enrollment_count": 3,
  "recent_enrollment_count": 3,
  "topics": [],
  "key_for_reruns": "",
  "url_slug_history": [
    "trench-run-10",
    "trench-run-10-course-v1edxtr10121t2021",
    "learn/social-sciences/edx-trench-run-10"
  ],
  "url_redirects": [],
  "course_run_statuses": [
    "published"
  ],
  "editors": [],
  "collaborators": [],
  "skill_names": [],
  "skills": [],
  "organization_short_code_override": "",
  "organization_logo_override_url": null,
  "geolocation": null,
  "location_restriction": null,
  "in_year_value": null,
  "product_source": {
    "name": "edX",
    "slug": "edx",
    "description": "Open courses"
  },
  "data_modified_timestamp": "2023-11-21T21:09:56.175672Z",
  "watchers": [],
  "programs": [],
  "course_run_keys": [
    "course-v1:edx+tr1012+1T2021"
  ],
  "editable": true,
  "advertised_course_run_uuid": "293e187e-c1d7-42cf-85b7-760e98a6f02d",
  "enrollment_url": "https://courses.stage.edx.org/enterprise/40709edf-3748-4fcf-aa18-99abd765b692/course/edx+tr1012/enroll/?catalog=fcbb8cc6-85f5-427e-b154-4055fdd69472&utm_medium=enterprise&utm_source=dusenbery-devices"
};

export const SEED_PROGRAM = {
  "uuid": "fcfe93c3-9123-4a58-a190-8614c96b8eab",
  "title": "Master of Business Administration",
  "subtitle": "",
  "type": "Masters",
  "type_attrs": {
    "uuid": "1399475e-cca8-4676-a669-fe5ba477c73f",
    "slug": "masters",
    "coaching_supported": false
  },
  "status": "unpublished",
  "marketing_slug": "ucd-master-of-business-administration",
  "marketing_url": "https://stage.edx.org/masters/ucd-master-of-business-administration",
  "banner_image": {},
  "hidden": false,
  "courses": [],
  "authoring_organizations": [
    {
      "uuid": "2c17b012-432f-4182-a914-bee8baea4f2a",
      "key": "UCDavis",
      "name": "University of California, Davis",
      "auto_generate_course_run_keys": true,
      "certificate_logo_image_url": null,
      "logo_image_url": null,
      "organization_hex_color": null,
      "data_modified_timestamp": null,
      "description": "",
      "description_es": "",
      "homepage_url": null,
      "tags": [],
      "marketing_url": "https://stage.edx.org/school/ucdavis",
      "slug": "ucdavis",
      "banner_image_url": null,
      "enterprise_subscription_inclusion": false
    }
  ],
  "card_image_url": "https://stage-discovery.edx-cdn.org/media/programs/card_images/fcfe93c3-9123-4a58-a190-8614c96b8eab-6ec5c946a62b.png",
  "is_program_eligible_for_one_click_purchase": true,
  "degree": {
    "application_requirements": "TBD",
    "apply_url": "",
    "banner_border_color": "",
    "campus_image": null,
    "title_background_image": null,
    "costs": [],
    "deadlines": [],
    "lead_capture_list_name": "Master_default",
    "quick_facts": [],
    "overall_ranking": "",
    "prerequisite_coursework": "TBD",
    "rankings": [],
    "lead_capture_image": {},
    "micromasters_path": null,
    "micromasters_url": null,
    "micromasters_long_title": null,
    "micromasters_long_description": null,
    "micromasters_background_image": {},
    "micromasters_org_name_override": null,
    "costs_fine_print": null,
    "deadlines_fine_print": null,
    "hubspot_lead_capture_form_id": null,
    "additional_metadata": {
      "external_identifier": "65390275-9b17-4dda-bcf0-d24250bf0a00",
      "external_url": "https://onlinemba.ucdavis.edu/requestinfo/plp/?lsrc=edx&utm_source=edx&utm_medium=referral&utm_campaign=ucd-mba",
      "organic_url": "https://onlinemba.ucdavis.edu/?utm_source=edx&utm_medium=referral&utm_campaign=UCD_MBA"
    },
    "specializations": [
      "Business Analytics",
      "Finance",
      "Marketing Strategy and Analytics",
      "Strategic Management",
      "Organizational Leadership",
      "Technology Management",
      "Entrepreneurship",
      "Product Management",
      "Business"
    ],
    "program_duration_override": null,
    "display_on_org_page": false,
    "excluded_from_search": false,
    "excluded_from_seo": false
  },
  "curricula": [
    {
      "uuid": "8ef7ba75-0b2f-434e-ab55-8f3436c6471f",
      "name": "",
      "marketing_text": "<ul><li>Markets and the Firm</li><li>Business Taxation</li><li>Financial Accounting</li><li>Individual and Group Dynamics</li><li>Negotiations in Organizations</li><li>Data Analysis for Managers (was Statistics)</li><li>Marketing Management</li><li>Financial Theory and Policy</li><li>Integrated Management Project (Capstone)</li><li>Organizational Strategy and Structure</li></ul>",
      "marketing_text_brief": null,
      "is_active": true,
      "courses": [],
      "programs": []
    }
  ],
  "marketing_hook": "",
  "total_hours_of_effort": null,
  "recent_enrollment_count": 0,
  "organization_short_code_override": "University of California, Davis",
  "organization_logo_override_url": null,
  "primary_subject_override": {
    "name": "Business & Management",
    "subtitle": "<p>Learn about business and management and more from the best universities and institutions around the world.</p>",
    "description": "<p>Online courses cover the core concepts in all areas of business including entrepreneurship, economics, finance, marketing and product development. Learn about business contracts, supply chain management, statistical analysis and much more with online courses from Harvard, MIT, Cornell and other top universities.</p>\n<h3>Browse Popular Business and Management Subjects</h3>\n<p><a href=\"/course/subject/business-management/finance\">Finance</a> | <a href=\"/course/subject/business-management/marketing\">Marketing</a> | <a href=\"/course/subject/business-management/accounting\">Accounting</a> | <a href=\"/course/subject/business-management/communications\">Communications</a> | <a href=\"/course/subject/business-management/international-business\">International Business</a> | <a href=\"/course/subject/business-management/risk-management\">Risk Management</a></p>\n<p><a href=\"/course/subject/business-management/innovation-entrepreneurship\">Innovation &amp; Entrepreneurship</a></p>",
    "banner_image_url": "https://stage.edx.org/sites/default/files/business-and-management-1440x210.jpg",
    "card_image_url": "https://stage.edx.org/sites/default/files/subject/image/card/business.jpg",
    "slug": "business-management",
    "uuid": "409d43f7-ff36-4834-9c28-252132347d87"
  },
  "level_type_override": {
    "name": "Intermediate",
    "sort_value": 3
  },
  "language_override": "en-us",
  "labels": [],
  "taxi_form": null,
  "program_duration_override": null,
  "data_modified_timestamp": "2023-05-23T12:13:31.380214Z",
  "excluded_from_search": false,
  "excluded_from_seo": false,
  "has_ofac_restrictions": null,
  "ofac_comment": "",
  "overview": "The online MBA from the University of California, Davis, features the same curriculum and globally recognized faculty as the on-campus MBA program. You'll experience our culture of collaboration and make Silicon Valley connections. The program can be completed in as few as 24 months. Bachelor’s required     \n",
  "weeks_to_complete": null,
  "weeks_to_complete_min": null,
  "weeks_to_complete_max": null,
  "min_hours_effort_per_week": null,
  "max_hours_effort_per_week": null,
  "video": null,
  "expected_learning_items": [],
  "faq": [],
  "credit_backing_organizations": [],
  "corporate_endorsements": [],
  "job_outlook_items": [],
  "individual_endorsements": [],
  "languages": [],
  "transcript_languages": [],
  "subjects": [],
  "price_ranges": [],
  "staff": [],
  "credit_redemption_overview": null,
  "applicable_seat_types": [
    "credit",
    "verified"
  ],
  "instructor_ordering": [],
  "enrollment_count": 0,
  "topics": [],
  "credit_value": 0,
  "enterprise_subscription_inclusion": false,
  "geolocation": null,
  "location_restriction": null,
  "is_2u_degree_program": true,
  "in_year_value": null,
  "skill_names": [],
  "skills": [],
  "product_source": {
    "name": "2u",
    "slug": "2u",
    "description": "2U, Trilogy, Getsmarter -- external source for 2u courses and programs"
  },
  "subscription_eligible": null,
  "subscription_prices": [],
  "enrollment_url": "https://courses.stage.edx.org/enterprise/943b1234-58cf-4376-b8e0-0efcbf4bfdf9/program/fcfe93c3-9123-4a58-a190-8614c96b8eab/enroll/?catalog=9014df44-e8eb-41c0-ab39-fb9a508ac716&utm_medium=enterprise&utm_source=pied-piper"
};

export const SEED_COURSE_RUN = {
  "key": "course-v1:HarvardX+FIH+3T2023",
  "uuid": "359e8f1c-627e-421b-9c5c-5e8560455219",
  "title": "Harvard VPAL FinTech online short course",
  "external_key": null,
  "image": {
    "src": "https://stage-discovery.edx-cdn.org/media/course/image/b718b44e-ac0e-4371-921a-bc7d02ea5a4a-a6e1b555a479.small.jpg",
    "description": null,
    "height": null,
    "width": null
  },
  "short_description": "<p>Step beyond current FinTech disruption and prepare for future financial services priorities.</p>",
  "marketing_url": "https://stage.edx.org/course/harvard-vpal-fintech-online-short-course-course-v1-harvardx-fih-3t2023?utm_source=lms_catalog_service_user&utm_medium=affiliate_partner",
  "seats": [
    {
      "type": "unpaid-executive-education",
      "price": "0.00",
      "currency": "USD",
      "upgrade_deadline": null,
      "upgrade_deadline_override": null,
      "credit_provider": null,
      "credit_hours": null,
      "sku": "C33ACD3",
      "bulk_sku": null
    }
  ],
  "start": "2023-11-09T00:00:00Z",
  "end": "2023-12-18T23:59:59Z",
  "go_live_date": "2023-12-15T00:00:00Z",
  "enrollment_start": null,
  "enrollment_end": "2024-02-07T23:59:59Z",
  "weeks_to_complete": 6,
  "pacing_type": "instructor_paced",
  "type": null,
  "run_type": "6fb73168-371b-419e-8f33-b30619497164",
  "status": "published",
  "is_enrollable": true,
  "is_marketable": true,
  "availability": "Current",
  "variant_id": "73b264ba-d49b-4012-93d1-ddc97553e9ab",
  "course": "HarvardX+FIH",
  "full_description": "<p>A practical sustainability action plan to overcome the barriers and aid in seizing the opportunities associated with creating a sustainable businessAs awareness of climate change, resource scarcity, pollution, and social inequality rises, businesses and governments are being held increasingly responsible. There is a need for positive, sustainable change. By taking this Business Sustainability Management online short course you’ll become that change, and set yourself up for success.</p>",
  "announcement": "2023-12-18T19:15:13.218663Z",
  "video": null,
  "content_language": "en-us",
  "license": "",
  "outcome": "<p>Al finalizar este curso, obtendrá lo siguiente:Claridad en la especulación y el despliegue del panorama de tecnología financiera, y las habilidades y el conocimiento para abordar las iniciativas de innovación. Comprensión de las tecnologías que dan forma al futuro de las finanzas y el potencial de asociaciones entre empresas establecidas, empresas tecnológicas de la nueva era e inversionistas. La capacidad de evaluar críticamente el futuro de la tecnología financiera y pensar estratégica y creativamente sobre los problemas que enfrentan las compañías reales. La oportunidad de establecer contactos con una cohorte de profesionales de ideas afines en una semana de conferencias adicional. Un certificado de primer nivel de la VPAL de Harvard, en asociación con HarvardX, como validación de sus conocimientos de tecnología financiera.</p>",
  "transcript_languages": [
    "en-us"
  ],
  "instructors": [],
  "staff": [],
  "min_effort": 2,
  "max_effort": 3,
  "modified": "2023-12-18T19:29:52.582607Z",
  "level_type": "Introductory",
  "mobile_available": false,
  "hidden": false,
  "reporting_type": "mooc",
  "eligible_for_financial_aid": true,
  "first_enrollable_paid_seat_price": null,
  "has_ofac_restrictions": false,
  "ofac_comment": "",
  "enrollment_count": 0,
  "recent_enrollment_count": 0,
  "expected_program_type": null,
  "expected_program_name": "",
  "course_uuid": "b718b44e-ac0e-4371-921a-bc7d02ea5a4a",
  "estimated_hours": 15,
  "content_language_search_facet_name": "English",
  "enterprise_subscription_inclusion": false,
  "programs": [],
  "enrollment_url": "https://courses.stage.edx.org/enterprise/4a3d7eae-fbf9-4786-b648-f7565289aeb7/course/course-v1:HarvardX+FIH+3T2023/enroll/?catalog=1236fd56-ede6-487f-8335-eb9fca8f0ad1&utm_medium=enterprise&utm_source=stripe-co"
};

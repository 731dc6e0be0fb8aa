import { can } from '../../identity/access.ts';
import { businessDate } from '../../kernel/dates.ts';
import { AppError } from '../../kernel/errors.ts';
import { listRegions } from '../../regions/service.ts';
import { listReviewQueue, type ReviewQueueFilter } from '../../review/queue.ts';
import { certificationsByIds, listCertifications, listReReviews } from '../../review/service.ts';
import { Panel } from '../components/panel.tsx';
import { certifiedKinds } from '../kinds.ts';
import { hrefWith, type PageContext } from '../page.tsx';
import { type ReviewMessages, reviewTerms } from '../review-terms.ts';
import { pageScope } from '../scope.tsx';
import { RecordDetailPane, readRecordDetail } from './review-detail.tsx';
import { CampaignForm, CertificationList, ReReviewList } from './review-lists.tsx';
import { BatchForm, QueueFilters, type QueueQuery, QueueTable } from './review-queue.tsx';

const queueSize = 50;
const listSize = 20;
const provinceCode = '450000';

const invalid = (field: string, message: string) => new AppError('validation_failed', `${field} ${message}`, [{ field, message }]);

/** A page number from the URL: 1 when absent, else a positive whole number. */
function pageNumber(text: string | undefined, field: string): number {
  if (text === undefined) return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw invalid(field, 'must be a page number from 1');
  return n;
}

/** The queue's filter from the URL, checked as the API checks it; a bad value is a page naming the field. */
function readQuery(ctx: PageContext, scope: string, regional: boolean): QueueQuery {
  const text = (name: string) => ctx.c.req.query(name)?.trim() || undefined;
  const kind = text('kind');
  if (kind !== undefined && !certifiedKinds().some((k) => k.segment === kind)) {
    throw invalid(
      'kind',
      `must be one of ${certifiedKinds()
        .map((k) => k.segment)
        .join(', ')}`,
    );
  }
  const department = text('department');
  if (department !== undefined && department.length > 64) throw invalid('department', 'is at most 64 characters');
  const q = text('q');
  if (q !== undefined && q.length > 200) throw invalid('q', 'is at most 200 characters');
  const county = regional ? text('county') : undefined;
  if (county !== undefined && !/^\d{6,12}$/.test(county)) throw invalid('county', 'must be a division code');
  const days = text('older_than_days');
  const olderThan = days === undefined ? undefined : Number(days);
  if (olderThan !== undefined && (!Number.isInteger(olderThan) || olderThan < 0 || olderThan > 36500)) {
    throw invalid('older_than_days', 'must be a whole number of days from 0 to 36500');
  }
  return { kind, department, city: scope, county, q, older_than_days: olderThan };
}

/** The API's filter for what the page shows: the county if one is picked, else the city (the province filters nothing). */
function apiFilter(query: QueueQuery): Omit<ReviewQueueFilter, 'limit' | 'offset'> {
  const region = query.county ?? (query.city === provinceCode || query.city.startsWith('dept:') ? undefined : query.city);
  const filter: Omit<ReviewQueueFilter, 'limit' | 'offset'> = {};
  if (query.kind) filter.kind = query.kind;
  if (query.department) filter.department = query.department;
  if (region) filter.region = region;
  if (query.q) filter.q = query.q;
  if (query.older_than_days !== undefined) filter.older_than_days = query.older_than_days;
  return filter;
}

/**
 * GET /console/review: the review queue (待认定) as one table across the certified kinds, oldest
 * first, filtered and paged by its URL, read through the queue API's own service; `?selected=`
 * opens a record beside it. Reviewers certify a batch and schedule 回头看 campaigns under it;
 * the open re-reviews and the certifications in force follow.
 */
export async function reviewPage(ctx: PageContext): Promise<Response> {
  const { c, db, actor, lang } = ctx;
  const m: ReviewMessages = reviewTerms(lang);
  const reviewer = can(actor.access, 'write', 'certifications');
  const scope = await pageScope(ctx);
  const query = readQuery(ctx, scope.scope, scope.cities !== null);
  const filter = apiFilter(query);
  const offset = (pageNumber(c.req.query('page'), 'page') - 1) * queueSize;
  const rOffset = (pageNumber(c.req.query('rpage'), 'rpage') - 1) * listSize;
  const cOffset = (pageNumber(c.req.query('cpage'), 'cpage') - 1) * listSize;
  const selected = c.req.query('selected')?.trim() || null;
  const cityPicked = query.city !== provinceCode && /^\d{6}$/.test(query.city);
  const [queue, reReviews, certifications, counties, detail] = await Promise.all([
    listReviewQueue(db, { ...filter, limit: queueSize, offset }, actor),
    listReReviews(db, { open: true, limit: listSize, offset: rOffset }, actor),
    listCertifications(db, { status: 'active', limit: listSize, offset: cOffset }, actor),
    listRegions(db, { level: 'county' }),
    selected ? readRecordDetail(db, selected, actor) : Promise.resolve(null),
  ]);
  // The certifications the listed re-reviews are about, whichever page of the list they are on.
  const reReviewed = await certificationsByIds(
    db,
    reReviews.items.map((r) => r.certification_id),
    actor,
  );
  const regionNames = new Map<string, string>([
    [provinceCode, m.province],
    ...(scope.cities ?? []).map((r): [string, string] => [r.code, r.name]),
    ...counties.map((r): [string, string] => [r.code, r.name]),
  ]);
  const href = (changes: Record<string, string | null>) => hrefWith(c, changes);
  const today = businessDate();
  const certified = Number(c.req.query('certified'));
  const listProps = { reviewer, today, csrf: ctx.viewer.csrfToken, back: href({ certified: null }), href, pageSize: listSize, lang, m };

  return ctx.render({
    title: m.title,
    active: 'review',
    scripts: reviewer ? ['review.js'] : [],
    config: { filter, total: queue.total },
    children: (
      <>
        <h1>{m.title}</h1>
        {reviewer ? null : <p class="hint">{m.readOnly}</p>}
        {Number.isInteger(certified) && certified > 0 ? (
          <p class="result ok" role="status" id="certified-notice">
            {m.certifiedNotice.replace('{n}', String(certified))}
          </p>
        ) : null}
        <QueueFilters
          query={query}
          scope={scope}
          counties={cityPicked ? counties.filter((r) => r.parentCode === query.city) : []}
          lang={lang}
          m={m}
        />
        <div class={detail ? 'alerts-layout' : 'alerts-layout single'}>
          <section aria-labelledby="queue-title">
            <h2 id="queue-title">
              {m.queue} <small id="queue-total">{queue.total}</small>
            </h2>
            <QueueTable
              page={queue}
              regionNames={regionNames}
              selected={selected}
              href={href}
              pageSize={queueSize}
              reviewer={reviewer}
              today={today}
              lang={lang}
              m={m}
            />
            {reviewer ? (
              <Panel id="batch" title={m.batch}>
                <BatchForm total={queue.total} today={today} lang={lang} m={m} />
              </Panel>
            ) : null}
          </section>
          {detail ? (
            <RecordDetailPane
              detail={detail}
              selectHref={(key) => `${href({ selected: key, certified: null })}#review-detail`}
              closeHref={href({ selected: null, certified: null })}
              lang={lang}
              m={m}
            />
          ) : null}
        </div>
        {reviewer ? (
          <Panel id="campaign" title={m.campaign}>
            <p class="hint">{m.campaignHint}</p>
            <CampaignForm cities={scope.cities ?? []} today={today} lang={lang} m={m} />
          </Panel>
        ) : null}
        <ReReviewList {...listProps} page={reReviews} certifications={new Map(reReviewed.map((x) => [x.id, x]))} />
        <CertificationList {...listProps} page={certifications} />
      </>
    ),
  });
}

-- deadlines.due in Thailand: the deadlines of a case from its dated facts (the shape of a deadline is in
-- intl/deadlines.lua). Only what the sources state is encoded:
-- - the MDT identification interview within 15 days of the referral (National Referral Mechanism,
--   approved March 2022): the 15 days bound how long the state may take before the interview, and
--   nothing ends a potential victim's assistance when it is late (US TIP report 2023, Thailand);
-- - custody for identification: 24 hours, extendable by a court up to 7 days (ATIPA s.29, [unverified]):
--   a limit on the custody power, never a basis to hold anyone. The days are dates: 24 hours from a day
--   end the next day at the latest; "up to 7 days" is counted from the day custody began (the shorter
--   reading of the extension, until the text is checked);
-- - informing the victim of the rights to compensation and legal aid at the first opportunity (s.34): on
--   the day an inquiry official or prosecutor first deals with them (`inquiry_contact_on`);
-- - the prosecutor's request to the court to take the victim's testimony in advance, immediately once
--   the victim asks (s.31);
-- - the crime-victim compensation claim within 1 year (Act B.E. 2544, amended 2016). The sources at hand
--   do not say from which day the year runs, so it is counted from the day a legal officer records
--   (`compensation_period_from`) and the deadline stays undated until then.

local identification = require("identification")
local intl = require("intl/deadlines")

local ATIPA = "TH Anti-Trafficking in Persons Act B.E. 2551 "
local NRM = "TH National Referral Mechanism (approved March 2022)"
local TIP_2023 = "US TIP report 2023, Thailand (the 15 days bound how long the state may take before the MDT interview)"
local S29 = "[unverified] TH ATIPA s.29 (custody for identification: 24 hours, extendable by a court up to 7 days)"
local COMPENSATION_ACT = "TH crime-victim compensation Act B.E. 2544 (amended 2016): claim within 1 year"
local NRM_DAYS = 15
local CUSTODY_DAYS, EXTENDED_CUSTODY_DAYS = 1, 7

local MDT_INTERVIEW = {
  id = "mdt_interview", label = "MDT identification interview", kind = "act_by", basis = { NRM, TIP_2023 },
  when_missed = "the 15 days are over without the MDT identification interview: hold it now; the 15 days bind the state, and nothing ends the person's assistance or stay because the interview is late",
}
local CUSTODY = {
  id = "identification_custody", label = "End of custody for identification", kind = "act_by", basis = { S29 },
  when_missed = "past the custody limit: s.29 gives no power to hold the person any longer for identification, and it is never a basis for an open-ended hold",
}
local RIGHTS = {
  id = "inform_of_rights", label = "Inform the victim of the rights to compensation and legal aid", kind = "act_by",
  basis = { ATIPA .. "s.34" },
  when_missed = "the victim has not been told of the rights to compensation and legal aid, which s.34 requires at the first opportunity: tell them now and record it",
}
local EARLY_TESTIMONY = {
  id = "early_testimony_request", label = "The prosecutor asks the court to take the victim's testimony in advance", kind = "act_by",
  basis = { ATIPA .. "s.31" },
  when_missed = "the victim asked for their testimony to be taken before the charge is filed, and the prosecutor has not yet asked the court, which s.31 requires immediately: a victim who wishes to go home waits on it",
}
local COMPENSATION = {
  id = "compensation_claim", label = "Claim crime-victim compensation", kind = "act_by", basis = { COMPENSATION_ACT },
  when_missed = "the year to claim crime-victim compensation is over: a claim made now is outside the 1 year the Act allows; a legal officer checks the day the year ran from",
}

-- Not yet formally identified, nor found not to be a victim: the NRM interview is still owed.
local function awaiting_identification(facts)
  return facts.trafficking_status ~= "actual" and facts.trafficking_status ~= "not_victim"
end

local function mdt_interview(facts, ctx, into)
  if not identification._nrm(facts, ctx) or not awaiting_identification(facts) then return end
  local referred = intl._referred_on(facts, ctx)
  if referred == nil then return end -- the 15 days start with the referral
  intl._add(into, MDT_INTERVIEW, referred, date.add_days(referred, NRM_DAYS),
    "referred for identification and not yet identified: the MDT identification interview is due within 15 days of the referral (NRM)")
end

local function custody(facts, into)
  local began = facts.custody_began_on
  if began == nil or facts.custody_ended_on ~= nil then return end
  if facts.custody_extended_by_court == true then
    intl._add(into, CUSTODY, began, date.add_days(began, EXTENDED_CUSTODY_DAYS),
      "in custody for identification, extended by a court: up to 7 days, counted here from the day custody began")
  else
    intl._add(into, CUSTODY, began, date.add_days(began, CUSTODY_DAYS),
      "in custody for identification: 24 hours from the hour it began, so by the next day at the latest, unless a court extends it")
  end
end

local function rights(facts, victim, into)
  if not victim or facts.informed_of_rights == true then return end
  local contact = facts.inquiry_contact_on
  local reason = "a victim not yet recorded as informed of the rights to compensation and legal aid: s.34 requires it at the first opportunity"
  if contact == nil then
    intl._add_undated(into, RIGHTS, { "inquiry_contact_on" }, reason .. "; record the day an inquiry official or prosecutor first dealt with the victim")
  else
    intl._add(into, RIGHTS, contact, contact, reason .. ": the day an inquiry official or prosecutor first dealt with the victim")
  end
end

local function early_testimony(facts, into)
  local asked = facts.early_testimony_requested_on
  if asked == nil or facts.early_testimony_applied_on ~= nil or facts.early_testimony_taken == true then return end
  intl._add(into, EARLY_TESTIMONY, asked, asked,
    "the victim asked for their testimony to be taken in advance: the prosecutor shall immediately ask the court (s.31)")
end

local function compensation(facts, victim, into)
  if not victim or facts.claiming_compensation == true then return end
  local from = facts.compensation_period_from
  local reason = "a victim with no compensation claim pending: a crime-victim compensation claim must be made within 1 year"
  if from == nil then
    intl._add_undated(into, COMPENSATION, { "compensation_period_from" },
      reason .. "; the sources at hand do not say from which day the year runs: a legal officer records it")
  else
    intl._add(into, COMPENSATION, from, date.add_months(from, 12), reason .. ", counted from the day a legal officer recorded")
  end
end

local function due(facts, ctx)
  local victim = identification.pathway(facts, ctx).outcome == "victim"
  local into = intl._list()
  mdt_interview(facts, ctx, into)
  custody(facts, into)
  rights(facts, victim, into)
  early_testimony(facts, into)
  compensation(facts, victim, into)
  return intl._result(into, "no Thai deadline is open on these facts (the MDT interview after a referral, custody for identification, informing a victim of the rights, early testimony, a victim's compensation claim)")
end

return { due = due }

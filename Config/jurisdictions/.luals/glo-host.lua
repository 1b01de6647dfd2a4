---@meta _
-- The facts, ctx and results of glo-host's decisions, and the sandbox they run in, for the Lua language
-- server (LuaLS). Made by `glo-host rules annotations` from facts.schema.json, decisions.yaml and the
-- outcomes packs add in pack.yaml: do not edit it; after changing those, run
--   glo-host rules annotations --rules Config/jurisdictions --to Config/jurisdictions/.luals/glo-host.lua

---The facts a decision receives (read-only; an absent fact is nil). See facts.schema.json.
---@class Facts
---@field case_ref string|nil Opaque caller reference carried by case corpora so that results can be matched to inputs. Never a name. Ignored by every rule.
---@field age integer|nil Whole years at the date the law is applied (ctx.date). Decides services (child shelter, guardian). The child element of the definition of trafficking is judged on age_at_acts, not on this age. When birthdate is given, the host derives it.
---@field birthdate string|nil ISO date of birth. When present, the host derives age (whole years at ctx.date, so a person is 18 from their 18th birthday on) and, with acts_began, age_at_acts. Must not be after acts_began.
---@field acts_began string|nil ISO date of the first act of trafficking (recruitment, transportation, sale...) known for this person. Must not be after the date the law is applied, nor before birthdate.
---@field age_at_acts integer|nil Whole years when the acts began. The host derives it from birthdate and acts_began; give it directly only when the birthdate is unknown. The child element of the definition (no means needed: Palermo Protocol art. 3(c)-(d), TH ATIPA s.6(2)) is judged on this age.
---@field appears_under_18 boolean|nil The age is unknown or disputed and there are reasons to believe the person is a child: presume a child until the age is verified (UNICEF Guidelines on the Protection of Child Victims of Trafficking, sec. 3.1.2).
---@field citizenship string[]|nil Citizenships, ISO 3166 alpha-2. Used to tell a national (to whom the migration pathways do not apply) from a migrant.
---@field stateless boolean|nil No State considers the person its national. A stateless person has no State bound to receive them (Palermo Protocol art. 8 binds the State of nationality or permanent residence).
---@field permanent_resident_of string|nil ISO 3166 alpha-2 of a State where the person has the right of permanent residence. Smuggling excludes entry into that State (Smuggling of Migrants Protocol art. 3(a)).
---@field acts ("recruitment"|"transportation"|"transfer"|"harbouring"|"receipt"|"sale"|"purchase")[]|nil The act element of trafficking (Palermo Protocol art. 3(a)): what was done to the person. sale and purchase (selling or buying a person) are Nepal's acts (Human Trafficking and Transportation (Control) Act 2007 s.4).
---@field taken_abroad boolean|nil The person was taken out of the country of the case (Nepal's 'transportation', Act 2007 s.4(2)).
---@field means ("threat"|"force"|"coercion"|"abduction"|"fraud"|"deception"|"abuse_of_power"|"abuse_of_vulnerability"|"payment_to_controller")[]|nil The means element (Palermo Protocol art. 3(a)): threat or use of force, coercion, abduction, fraud, deception, abuse of power or of a position of vulnerability, payments to a person having control over another. Not required for a child (art. 3(c)).
---@field exploitation ("forced_labour"|"sexual_exploitation"|"child_labour"|"forced_marriage"|"servitude"|"forced_military"|"organ_removal"|"forced_begging"|"forced_adoption"|"surrogacy"|"other")[]|nil The purpose element: HTCDS v2.0 TypeOfExploitation in snake_case (forced_military = ForcedMilitaryByNonStateActors).
---@field ilo_indicators ("abuse_of_vulnerability"|"deception"|"restriction_of_movement"|"isolation"|"physical_and_sexual_violence"|"intimidation_and_threats"|"retention_of_identity_documents"|"withholding_of_wages"|"debt_bondage"|"abusive_working_and_living_conditions"|"excessive_overtime")[]|nil The 11 ILO indicators of forced labour observed. They support reasonable grounds for referral; they are not a decision by themselves.
---@field consented boolean|nil The person agreed to the work or travel. Irrelevant where any means was used (Palermo Protocol art. 3(b)) and for a child (art. 3(c)).
---@field entry "regular"|"irregular"|"unknown"|nil How the person entered the country where the case is handled.
---@field smuggler_paid boolean|nil A fee or other material benefit was paid for the irregular crossing (Smuggling of Migrants Protocol art. 3).
---@field country string|nil ISO 3166 alpha-2: where the case is handled (the country a return leaves from).
---@field origin string|nil ISO 3166 alpha-2: where the person comes from (the destination of a return).
---@field trafficking_status "possible"|"actual"|"not_victim"|nil The status recorded by a human identification (HTCDS TraffickingStatus). 'actual' is a formal identification; only it makes a victim's status 'actual'.
---@field identified_by "mdt"|"police"|"court"|"ngo"|"other"|nil Who recorded trafficking_status (mdt = multidisciplinary team).
---@field informed_of_rights boolean|nil The person has been told of the rights to legal aid and to compensation (TH ATIPA s.34 requires it at the first opportunity).
---@field low_income boolean|nil Passes the means test of the jurisdiction's legal-aid fund (TH: the Justice Fund).
---@field party_to_proceedings boolean|nil Victim, witness or accused in a criminal or civil case.
---@field testifying boolean|nil A witness in an ongoing prosecution.
---@field claiming_compensation boolean|nil A compensation claim is pending for the person (TH: claimed by the prosecutor under ATIPA s.35 where the victim expresses the intention to claim, or a crime-victim compensation claim). Absent is read as no claim pending.
---@field early_testimony_taken boolean|nil The victim's testimony was taken in advance so that they need not stay for the trial (TH ATIPA s.31: at the victim's request the prosecutor asks the court to take it before the charge is filed).
---@field charges ("illegal_entry"|"illegal_exit"|"illegal_stay"|"false_information"|"forged_documents"|"prostitution"|"work_without_permit"|"other")[]|nil Offences the person is charged with or suspected of (for the non-punishment decision). illegal_exit: leaving the country without permission.
---@field compelled_offence boolean|nil The charged acts were committed as a direct result of being trafficked (for example made to run online scams). ASEAN Convention against Trafficking in Persons art. 14(7): to be considered for non-liability.
---@field wishes_to_return boolean|nil The person's own wish to return to their country of origin (their opinion must be sought: TH ATIPA s.33).
---@field return_risk "low"|"medium"|"high"|nil Assessed risk of harm or re-trafficking on return.
---@field safety_plan boolean|nil A risk assessment and safety plan for the return is recorded (Palermo Protocol art. 8(2); ASEAN Convention against Trafficking in Persons art. 15).
---@field guardian_appointed boolean|nil A child has a guardian for the decisions about them.
---@field best_interests_determination "pending"|"return"|"stay"|nil For a child: the best-interests determination about a return (Convention on the Rights of the Child art. 3): pending, or decided for return or for staying.
---@field days_since_referral integer|nil Days since the person was referred for identification, at the date the law is applied. Absent means not referred (TH NRM: up to 15 days in a temporary shelter before the MDT interview). When referred_on is given, the host derives it (none while the referral is after the date the law is applied); give it directly only when the day of the referral is unknown.
---@field referred_on string|nil ISO date the person was referred for identification. The host derives days_since_referral from it; deadlines count from it (TH NRM: the MDT identification interview within 15 days of the referral).
---@field reasonable_grounds_on string|nil ISO date reasonable grounds to believe the person is a victim were found. The Council of Europe Convention's recovery and reflection period of at least 30 days runs from then (art. 13).
---@field custody_began_on string|nil ISO date the person was taken into custody for identification (TH ATIPA s.29, [unverified]: 24 hours, extendable by a court up to 7 days). Must not be after custody_ended_on.
---@field custody_extended_by_court boolean|nil A court extended the custody for identification (TH ATIPA s.29, [unverified]: up to 7 days).
---@field custody_ended_on string|nil ISO date the custody for identification ended (the person was released or the custody otherwise ended).
---@field inquiry_contact_on string|nil ISO date an inquiry official or prosecutor first dealt with the person: the first opportunity at which TH ATIPA s.34 requires them to inform a victim of the rights to compensation and legal aid.
---@field early_testimony_requested_on string|nil ISO date the victim asked for their testimony to be taken in advance (TH ATIPA s.31: the prosecutor shall then immediately ask the court). Must not be after early_testimony_applied_on.
---@field early_testimony_applied_on string|nil ISO date the prosecutor asked the court to take the victim's testimony in advance (TH ATIPA s.31).
---@field compensation_period_from string|nil ISO date from which the one-year limit to claim crime-victim compensation is counted, as a legal officer established it (TH Act B.E. 2544, amended 2016: claim within 1 year; the sources at hand do not say from which day the year runs).
---@field route "repatriation_as_victim"|"voluntary_return"|"deportation"|"hold"|"stay"|nil The return route already decided (an outcome of return.route), read by return.steps. When absent, return.steps decides the route itself.
---@field consent_to_share_data boolean|nil The person gave explicit consent, for the purpose of the return, to the transfer of the handover packet to the receiving agency (IOM Data Protection Manual: transfer to third parties only with explicit consent). Read by return.packet.

---What a decision knows of the call besides the facts (read-only).
---@class Ctx
---@field jurisdiction string The pack id asked for (TH), also while a parent's rule runs.
---@field date string The ISO date the law is applied at (YYYY-MM-DD); compare dates as texts.
---@field pack_version string The version of the pack asked for.

---identification.pathway: Whether the person is a victim of trafficking, and otherwise which migration pathway applies.
---@class IdentificationPathwayResult
---@field outcome "victim"|"smuggled_migrant"|"irregular_migrant"|"vulnerable_migrant"|"not_applicable"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field status "possible"|"actual"|nil A victim's status: possible, or actual once formally identified.
---@field elements "complete"|"identified"|"incomplete"|"missing"|nil How the elements of the definition stand.
---@field identified_by "mdt"|"police"|"court"|"ngo"|"other"|nil Who formally identified the person.
---@field review_required boolean|nil A recorded identification disagrees with the facts: a person reviews it.
---@field refer_for_identification boolean|nil Refer the person for identification.
---@field also ("smuggled_migrant"|"irregular_migrant")[]|nil Other pathways that apply as well (a smuggled victim).
---@field national boolean|nil A national of the country of the case.
---@field permanent_resident boolean|nil A permanent resident of the country of the case.
---@field child_element "age_at_acts"|"age"|"presumed"|nil How the person was found a child when the acts began.
---@field means_from_indicators ("deception"|"intimidation_and_threats"|"physical_and_sexual_violence"|"abuse_of_vulnerability")[]|nil ILO indicators counted as the means element.
---@field screening_missing ("acts"|"exploitation"|"means"|"age"|"acts_began")[]|nil Facts the record still lacks where a recorded status stands.
---@field means_unverified boolean|nil The victim rests only on means the national law may not list.
---@field other_offences string[]|nil Separate offences that may apply (TH s.6/1).
---@field national_definition_differs boolean|nil Palermo's definition is met, the national one is not: referred.
---@field aggravated boolean|nil A child victim aggravates the penalty (BR).
---@field offences ("trafficking"|"transportation")[]|nil The national offences the facts meet (NP: trafficking, transportation).
---@alias IdentificationPathwayDecision fun(facts: Facts, ctx: Ctx): IdentificationPathwayResult

---legal_aid.eligibility: Which legal assistance the person may have, and under which law.
---@class LegalAidEligibilityResult
---@field outcome "eligible"|"not_eligible"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field kinds ("advice"|"representation"|"compensation_claim")[]|nil The legal assistance that may be opened.
---@field kinds_unverified ("advice"|"representation"|"compensation_claim")[]|nil Kinds whose legal basis is not verified.
---@field status "possible"|"actual"|nil The victim's status the eligibility rests on.
---@field support ("case_costs"|"bail"|"legal_advice")[]|nil What a fund meets (case costs, bail, legal advice).
---@field funds ("anti_trafficking_fund"|"justice_fund")[]|nil The funds that apply.
---@field inform_of_rights_required boolean|nil The person must be informed of the rights to legal aid and compensation.
---@field identification_pending boolean|nil Not yet formally identified.
---@field early_testimony_available boolean|nil A witness may ask for the testimony to be taken in advance.
---@field law_unverified boolean|nil The law the decision needs is not verified.
---@field victim boolean|nil The person is a victim of trafficking.
---@alias LegalAidEligibilityDecision fun(facts: Facts, ctx: Ctx): LegalAidEligibilityResult

---protection.non_punishment: Whether the charges against a victim may be prosecuted.
---@class ProtectionNonPunishmentResult
---@field outcome "barred"|"not_barred"|"consider"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field barred ("illegal_entry"|"illegal_exit"|"illegal_stay"|"false_information"|"forged_documents"|"prostitution"|"work_without_permit"|"other")[]|nil Charges that may not be prosecuted.
---@field not_covered ("illegal_entry"|"illegal_exit"|"illegal_stay"|"false_information"|"forged_documents"|"prostitution"|"work_without_permit"|"other")[]|nil Charges the bar does not cover.
---@field consider ("illegal_entry"|"illegal_exit"|"illegal_stay"|"false_information"|"forged_documents"|"prostitution"|"work_without_permit"|"other")[]|nil Charges for the prosecutor to consider not pursuing (ASEAN Convention art. 14(7)).
---@field status "possible"|"actual"|nil The victim's status.
---@field exception string|nil Who may still permit a prosecution.
---@field check_offence ("illegal_entry"|"illegal_exit"|"illegal_stay"|"false_information"|"forged_documents"|"prostitution"|"work_without_permit"|"other")[]|nil Charges whose exact offence must be checked.
---@field review_required boolean|nil A person must review this.
---@field identification_pending boolean|nil Not yet formally identified.
---@field refer_for_identification boolean|nil Refer the person for identification.
---@field law_unverified boolean|nil The law is not verified.
---@field victim boolean|nil The person is a victim of trafficking.
---@alias ProtectionNonPunishmentDecision fun(facts: Facts, ctx: Ctx): ProtectionNonPunishmentResult

---shelter.placement: Where the person may be sheltered.
---@class ShelterPlacementResult
---@field outcome "child_protection_shelter"|"welfare_centre"|"ngo_shelter"|"none"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field alternatives ("child_protection_shelter"|"welfare_centre"|"ngo_shelter")[]|nil Other placements that are equally open.
---@field status "possible"|"actual"|nil The victim's status.
---@field shelter string|nil The named shelter.
---@field identification_stay_days_left integer|nil Days left of the stay before the identification interview.
---@field identification_overdue boolean|nil The identification interview is overdue.
---@field age_presumed boolean|nil A child's placement resting on the presumption of childhood.
---@field age_to_verify boolean|nil A victim of unknown age, placed while the age is verified.
---@field potential_victim boolean|nil Referred for identification, status still open.
---@field placement_to_confirm boolean|nil The placement rules are not verified: confirm the placement.
---@field refer_for_identification boolean|nil Refer the person for identification.
---@alias ShelterPlacementDecision fun(facts: Facts, ctx: Ctx): ShelterPlacementResult

---return.route: Whether and how the person returns; never a push back.
---@class ReturnRouteResult
---@field outcome "repatriation_as_victim"|"voluntary_return"|"deportation"|"hold"|"stay"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field hold_reasons ("identification"|"review"|"reflection"|"best_interests"|"guardian"|"safety_plan")[]|nil What a hold waits for.
---@field stay_grounds ("national"|"permanent_resident"|"lawfully_present"|"does_not_wish_to_return"|"testifying"|"claiming_compensation"|"best_interests"|"stateless")[]|nil Why the person stays.
---@field custody "none"|"reporting"|"detention"|nil Where a person being deported is meanwhile; a child's never detention.
---@field custody_alternatives ("none"|"reporting"|"detention")[]|nil Other custody the pack allows.
---@field proceedings_continue ("early_testimony"|"claim_by_prosecutor")[]|nil How the case goes on after a victim's return.
---@field early_testimony_required boolean|nil Take the witness's testimony in advance before the handover.
---@field risk_assessment_required boolean|nil Assess the risk on return first.
---@field stateless boolean|nil Statelessness shaped the route.
---@field witness boolean|nil A witness in an ongoing prosecution.
---@field review_required boolean|nil A person must review this.
---@field refer_for_identification boolean|nil Refer the person for identification.
---@field identification_stay_days_left integer|nil Days left of the stay before the identification interview.
---@field identification_overdue boolean|nil The identification interview is overdue.
---@field reflection_days_left integer|nil Days left of the recovery and reflection period.
---@field screening_missing ("acts"|"exploitation"|"means"|"age"|"acts_began")[]|nil Facts the screening still lacks.
---@field law_unverified boolean|nil The law is not verified.
---@alias ReturnRouteDecision fun(facts: Facts, ctx: Ctx): ReturnRouteResult

---return.steps: The steps of a return's procedure, in order, for a route from one country to another.
---@class ReturnStepsResult
---@field outcome "steps"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field steps table[]|nil Each step: id, label, actor, basis, and needs_consent or done_when where they apply.
---@field route "repatriation_as_victim"|"voluntary_return"|"deportation"|"hold"|"stay"|nil The route the steps are for.
---@field from string|nil Where the return leaves from.
---@field to string|nil Where the person goes.
---@field receiving_agency string|nil Who receives the person.
---@field hold_reasons ("identification"|"review"|"reflection"|"best_interests"|"guardian"|"safety_plan")[]|nil What a hold waits for.
---@field pending ("best_interests"|"guardian"|"safety_plan")[]|nil What the return still waits for.
---@field custody "none"|"reporting"|"detention"|nil Where a person being deported is meanwhile.
---@field early_testimony_required boolean|nil Take the witness's testimony in advance before the handover.
---@alias ReturnStepsDecision fun(facts: Facts, ctx: Ctx): ReturnStepsResult

---return.packet: Which parts of the handover packet may cross the border.
---@class ReturnPacketResult
---@field outcome "packet"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field fields ("identity"|"logistics"|"needs_and_risks"|"consent_reference")[]|nil The parts that may be sent.
---@field withheld ("identity"|"logistics"|"needs_and_risks"|"consent_reference"|"narrative")[]|nil The parts that may not.
---@alias ReturnPacketDecision fun(facts: Facts, ctx: Ctx): ReturnPacketResult

---deadlines.due: The deadlines that apply to a case from its dated facts, each with its due date, legal basis and what happens when it is missed.
---@class DeadlinesDueResult
---@field outcome "due"|"none"|"undetermined" The outcomes declared for it (decisions.yaml, pack.yaml).
---@field reasons (string|table<string, string>)[]|nil Plain sentences a caseworker reads; a table gives one in several languages ({ en = ..., lo = ... }, en required).
---@field basis string[]|nil Legal citations, instrument and article; "[unverified] ..." where not checked against the text.
---@field missing string[]|nil When undetermined: the facts to ask for (the host fills it when left out).
---@field deadlines table[]|nil Each deadline: id, label, kind (act_by: something must be done by then; period_ends: a protected period ends that day), from (the date it is counted from), due, basis, when_missed.
---@field undated table[]|nil Deadlines that apply but cannot be dated yet: id, label, kind, needs (the dated facts to record), basis, when_missed.
---@alias DeadlinesDueDecision fun(facts: Facts, ctx: Ctx): DeadlinesDueResult

-- The sandbox. Absent: io, os, debug, package, coroutine (turned off in .luarc.json), and load, loadfile,
-- dofile, collectgarbage, _G, string.dump, string.pack, string.unpack, string.packsize. The libraries
-- string, table, math, utf8 and date are read-only. luacheck (.luacheckrc) refuses the absent ones as well.

---Calendar arithmetic on ISO dates (YYYY-MM-DD, years 1 to 9999) without a clock: count from ctx.date
---or a dated fact. A text that is no date, or a count that is not a whole number, ends the call with an
---error naming the function, the argument, and the rule's file and line.
---@class DateLib
date = {}

---Whether `v` is a date text that exists; never an error.
---@param v any
---@return boolean
function date.valid(v) end

---The day `n` days after `d` (before it when `n` is negative).
---@param d string
---@param n integer
---@return string
function date.add_days(d, n) end

---The same day `n` months after `d` (before it when negative); a day the month lacks becomes its last
---day (2024-01-31 plus 1 month is 2024-02-29). Twelve months make a year.
---@param d string
---@param n integer
---@return string
function date.add_months(d, n) end

---How many days from `a` to `b`: negative when `b` comes first.
---@param a string
---@param b string
---@return integer
function date.days_between(a, b) end

---`-1` when `a` comes before `b`, `0` on the same day, `1` after.
---@param a string
---@param b string
---@return -1|0|1
function date.compare(a, b) end

---Writes to the host's diagnostics, never to stdout.
---@param ... any
function print(...) end

---The module `name` of the nearest pack of the chain (the pack's own first, then its parents), or
---`"PACK/name"` of the pack itself or an ancestor (`require("intl/identification")`). Nothing else can
---be required. The module table it returns is read-only.
---@param name string
---@return table
function require(name) end

---@generic T
---@param v T
---@param message? any
---@return T
function assert(v, message, ...) end

---Ends the call with an error naming file and line; the decision fails.
---@param message any
---@param level? integer
function error(message, level) end

---@generic V
---@param t V[]
---@return fun(t: V[], i?: integer): integer, V
---@return V[]
---@return integer
function ipairs(t) end

---@generic K, V
---@param t table<K, V>
---@return fun(t: table<K, V>, k?: K): K, V
---@return table<K, V>
function pairs(t) end

---@param t table
---@param k? any
---@return any
---@return any
function next(t, k) end

---@param a any
---@param b any
---@return boolean
function rawequal(a, b) end

---@param t table
---@param k any
---@return any
function rawget(t, k) end

---@param v table|string
---@return integer
function rawlen(v) end

---@param t table
---@param k any
---@param v any
---@return table
function rawset(t, k, v) end

---@param index integer|"#"
---@return any
function select(index, ...) end

---@param t table
---@param metatable? table
---@return table
function setmetatable(t, metatable) end

---@param v any
---@return table|nil
function getmetatable(v) end

---@param v any
---@param base? integer
---@return number|nil
function tonumber(v, base) end

---@param v any
---@return string
function tostring(v) end

---@param v any
---@return "nil"|"number"|"string"|"boolean"|"table"|"function"|"thread"|"userdata"
function type(v) end

---A budget the call exceeds is not caught: the call ends all the same.
---@param f function
---@return boolean
---@return any
function pcall(f, ...) end

---A budget the call exceeds is not caught, and the handler is skipped.
---@param f function
---@param handler function
---@return boolean
---@return any
function xpcall(f, handler, ...) end

---@type string
_VERSION = "Lua 5.4"

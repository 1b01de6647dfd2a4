-- return.packet: which fields of the handover packet may cross the border.
-- The principle is international (IOM Data Protection Manual; WHO ethical recommendations), so every
-- national pack inherits it. Only a minimal packet ever crosses: identity, logistics, needs and risks,
-- and a reference to the consent. The narrative of what happened to the person never crosses.

local PACKET = { "identity", "logistics", "needs_and_risks", "consent_reference" }
local BASIS_TRANSFER = "IOM Data Protection Manual: transfer to third parties only with explicit consent, for a specified purpose, with adequate safeguards, in writing"
local BASIS_PURPOSE = "IOM Data Protection Manual: specified purpose; confidentiality"
local BASIS_WHO = "WHO ethical recommendations for interviewing trafficked women: anonymity and confidentiality"

local function packet(facts, ctx)
  local consent = facts.consent_to_share_data
  if consent == true then
    return {
      outcome = "packet",
      fields = { PACKET[1], PACKET[2], PACKET[3], PACKET[4] },
      withheld = { "narrative" },
      reasons = {
        "explicit consent to share data for the return is recorded: the minimal packet may go to the receiving agency",
        "only what the return needs crosses the border: identity, logistics, needs and risks, and the consent reference; never the narrative",
      },
      basis = { BASIS_TRANSFER, BASIS_PURPOSE, BASIS_WHO },
    }
  end
  if consent == false then
    return {
      outcome = "packet",
      fields = {},
      withheld = { "identity", "logistics", "needs_and_risks", "consent_reference", "narrative" },
      reasons = { "no consent to share data: nothing about the person may be transferred to the receiving agency" },
      basis = { BASIS_TRANSFER },
    }
  end
  return {
    outcome = "undetermined",
    missing = { "consent_to_share_data" },
    reasons = { "the person's explicit consent to share data with the receiving agency must be asked before any packet is sent" },
    basis = { BASIS_TRANSFER },
  }
end

return { packet = packet }

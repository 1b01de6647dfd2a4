import GloRules
/// A person in the records: a possible victim, a migrant, a witness.
///
/// Every field that identifies the person, alone or together with others, is inside `personal`
/// (`PersonalData`), and only there: the store encrypts `personal` at rest as one block, and nothing
/// outside it may hold a name, a date of birth, a document number or an address. What stays outside
/// is what the store needs to keep in the clear: the opaque id and when the record was made. Facts
/// a rule needs from the person (`birthdate`, `citizenship`) are read from `personal` at the moment
/// of a decision (`Screening.facts(person:case:)`), not copied onto other records.
public struct Person: Sendable, Hashable, Codable, Validatable {
    public var id: PersonID
    public var createdAt: Timestamp
    /// Encrypted at rest.
    public var personal: PersonalData
    /// When the person was erased (`Erasure`): then `personal` is empty and nothing of them can be
    /// read again; the record stays, so counts and the cases that name them remain whole.
    public var erasedAt: Timestamp?
    /// The user who registered the person: until a case is opened for them, the only one who may
    /// read them. Kept in the clear beside the sealed fields (it says nothing of the person).
    public var registeredBy: UserID?

    public init(id: PersonID = PersonID(), createdAt: Timestamp = .now, personal: PersonalData) {
        self.id = id
        self.createdAt = createdAt
        self.personal = personal
    }

    /// The person as an erased record reads: the id and the dates only.
    public static func erased(_ id: PersonID, createdAt: Timestamp, at: Timestamp) -> Person {
        var person = Person(id: id, createdAt: createdAt, personal: PersonalData(givenNames: ""))
        person.erasedAt = at
        return person
    }

    enum CodingKeys: String, CodingKey {
        case id, personal
        case createdAt = "created_at"
        case erasedAt = "erased_at"
        case registeredBy = "registered_by"
    }

    public func validationErrors() -> [FieldError] {
        personal.validationErrors(at: "person.personal")
    }
}

/// HTCDS gender (prs_Gender), snake_case. What the person says; `non_specified_unknown` when not said.
public enum Gender: String, Sendable, Hashable, Codable, CaseIterable {
    case feminine, masculine
    case transgenderFeminine = "transgender_feminine"
    case transgenderMasculine = "transgender_masculine"
    case nonConforming = "non_conforming"
    case nonSpecifiedUnknown = "non_specified_unknown"
}

/// Sex as recorded on identity documents, when known.
public enum Sex: String, Sendable, Hashable, Codable, CaseIterable {
    case female, male, other, unknown
}

/// The identifying fields of a person, kept together because they are encrypted together at rest.
/// Add any new identifying field here, never on `Person` or another entity.
public struct PersonalData: Sendable, Hashable, Codable {
    /// HTCDS prs_FirstName (and middle names). Required: use what the person gives, even a nickname.
    public var givenNames: String
    /// HTCDS prs_SecondName; absent for people with one name.
    public var familyName: String?
    /// Other names and aliases the person is or was known by.
    public var otherNames: [String]
    /// HTCDS prs_Birthdate.
    public var dateOfBirth: CalendarDate?
    /// The date of birth is an estimate (from an age assessment or the person's own estimate).
    public var dateOfBirthEstimated: Bool
    public var sex: Sex?
    public var gender: Gender?
    /// HTCDS prs_Citizenship: ISO 3166 alpha-2 codes; empty when unknown or stateless.
    public var citizenship: [String]
    /// HTCDS prs_PrimaryLanguage / prs_SecondaryLanguage: ISO 639 codes.
    public var languages: [String]
    public var contact: ContactDetails?
    public var address: Address?
    public var identityDocuments: [IdentityDocument]

    public init(givenNames: String, familyName: String? = nil, otherNames: [String] = [],
                dateOfBirth: CalendarDate? = nil, dateOfBirthEstimated: Bool = false, sex: Sex? = nil,
                gender: Gender? = nil, citizenship: [String] = [], languages: [String] = [],
                contact: ContactDetails? = nil, address: Address? = nil,
                identityDocuments: [IdentityDocument] = []) {
        self.givenNames = givenNames
        self.familyName = familyName
        self.otherNames = otherNames
        self.dateOfBirth = dateOfBirth
        self.dateOfBirthEstimated = dateOfBirthEstimated
        self.sex = sex
        self.gender = gender
        self.citizenship = citizenship
        self.languages = languages
        self.contact = contact
        self.address = address
        self.identityDocuments = identityDocuments
    }

    enum CodingKeys: String, CodingKey {
        case sex, gender, citizenship, languages, contact, address
        case givenNames = "given_names"
        case familyName = "family_name"
        case otherNames = "other_names"
        case dateOfBirth = "date_of_birth"
        case dateOfBirthEstimated = "date_of_birth_estimated"
        case identityDocuments = "identity_documents"
    }

    func validationErrors(at prefix: String) -> [FieldError] {
        var c = FieldChecks(prefix)
        c.text(givenNames, "given_names")
        c.optionalText(familyName, "family_name")
        for (i, name) in otherNames.enumerated() { c.text(name, "other_names[\(i)]") }
        c.notBefore1900(dateOfBirth, "date_of_birth")
        c.countries(citizenship, "citizenship")
        for (i, language) in languages.enumerated() { c.text(language, "languages[\(i)]") }
        if let contact { c.merge(contact.validationErrors(at: c.path("contact"))) }
        if let address { c.merge(address.validationErrors(at: c.path("address"))) }
        for (i, document) in identityDocuments.enumerated() {
            c.merge(document.validationErrors(at: c.path("identity_documents[\(i)]")))
        }
        return c.errors
    }
}

/// HTCDS prs_HomePhone, prs_MobilePhone, prs_Email.
public struct ContactDetails: Sendable, Hashable, Codable {
    /// E.164: `+`, country code and number, at most 15 digits.
    public var phones: [String]
    public var email: String?

    public init(phones: [String] = [], email: String? = nil) {
        self.phones = phones
        self.email = email
    }

    enum CodingKeys: String, CodingKey { case phones, email }

    func validationErrors(at prefix: String) -> [FieldError] {
        var c = FieldChecks(prefix)
        for (i, phone) in phones.enumerated() where !ContactDetails.isE164(phone) {
            c.fail("phones[\(i)]", "must be an E.164 number: + then country code and number, up to 15 digits")
        }
        if let email, !email.contains("@") || email.hasPrefix("@") || email.hasSuffix("@") {
            c.fail("email", "must be an e-mail address such as name@example.org")
        }
        return c.errors
    }

    /// HTCDS: `^\+?[1-9]\d{1,14}$`.
    static func isE164(_ s: String) -> Bool {
        var digits = Substring(s)
        if digits.first == "+" { digits = digits.dropFirst() }
        guard let first = digits.first, first != "0", (2...15).contains(digits.count) else { return false }
        return digits.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}

/// HTCDS prs_Mailing*: where the person lives or can be reached.
public struct Address: Sendable, Hashable, Codable {
    public var street: String?
    public var city: String?
    public var state: String?
    public var postalCode: String?
    /// ISO 3166 alpha-2.
    public var country: String?

    public init(street: String? = nil, city: String? = nil, state: String? = nil, postalCode: String? = nil,
                country: String? = nil) {
        self.street = street
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.country = country
    }

    enum CodingKeys: String, CodingKey {
        case street, city, state, country
        case postalCode = "postal_code"
    }

    func validationErrors(at prefix: String) -> [FieldError] {
        var c = FieldChecks(prefix)
        c.optionalText(street, "street")
        c.optionalText(city, "city")
        c.optionalText(state, "state")
        c.optionalText(postalCode, "postal_code")
        c.country(country, "country")
        return c.errors
    }
}

/// A passport, national identity card, border pass... (HTCDS prs_IdentityNumber, generalised).
public struct IdentityDocument: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case passport
        case nationalId = "national_id"
        case borderPass = "border_pass"
        case workPermit = "work_permit"
        case birthCertificate = "birth_certificate"
        case other
    }

    public var kind: Kind
    public var number: String
    /// ISO 3166 alpha-2.
    public var issuingCountry: String?
    public var expires: CalendarDate?
    /// Where the document is now, for instance held by an employer (an ILO indicator).
    public var heldByPerson: Bool?

    public init(kind: Kind, number: String, issuingCountry: String? = nil, expires: CalendarDate? = nil,
                heldByPerson: Bool? = nil) {
        self.kind = kind
        self.number = number
        self.issuingCountry = issuingCountry
        self.expires = expires
        self.heldByPerson = heldByPerson
    }

    enum CodingKeys: String, CodingKey {
        case kind, number, expires
        case issuingCountry = "issuing_country"
        case heldByPerson = "held_by_person"
    }

    func validationErrors(at prefix: String) -> [FieldError] {
        var c = FieldChecks(prefix)
        c.text(number, "number")
        c.country(issuingCountry, "issuing_country")
        return c.errors
    }
}

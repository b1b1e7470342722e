package credentials

// CheckInput says what keeps an entry from being deployed, as a form checks
// it while the user types: the rules Add and Edit apply, field by field in
// the form's order, without the keyring. e holds the fields typed, sec the
// secrets and repeat the Repeat field (of a password or secure parameter).
// When editing, the name is not checked again and an empty secret keeps
// the stored one. The error's Field names the field at fault.
func CheckInput(e Entry, sec Secrets, repeat []byte, editing bool) error {
	if !editing {
		if err := CheckName(e.Name); err != nil {
			return err
		}
	}
	if err := checkLine("description", e.Description, MaxDescriptionLength, false); err != nil {
		return err
	}
	keep := editing && len(sec.Secret) == 0
	switch e.Type {
	case OpenConnectors:
		for _, s := range []struct {
			what  string
			value []byte
		}{{"user secret", sec.Secret}, {"organization secret", sec.Organization}, {"element token", sec.Element}} {
			if editing && len(s.value) == 0 {
				continue // unchanged
			}
			if err := CheckOpenConnectorsSecret(s.what, s.value); err != nil {
				return err
			}
		}
		return nil
	case SecureParameter:
		if !keep {
			if err := checkSecret(e.Type, sec.Secret); err != nil {
				return err
			}
		}
	default:
		if err := checkLine("user", e.User, MaxUser(e.Type), true); err != nil {
			return err
		}
		if err := checkSecret(e.Type, sec.Secret); err != nil {
			return err
		}
	}
	if err := MatchRepeat(e.Type, sec.Secret, repeat); err != nil {
		return err
	}
	if e.Type == SuccessFactors {
		return CheckCompanyID(e.CompanyID)
	}
	return nil
}

"""The public tip desk (tin báo): citizens' and businesses' tips become BCĐ 389's TipReceived events, which
BCĐ 389's users triage — assigned to an agency (its CaseOpened) or dismissed (a CaseClosed)."""

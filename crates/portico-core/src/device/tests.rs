//! The device authorization state machine and user codes against RFC 8628 §3.5, §5.1, §6.1.

use super::*;

const T0: UnixMillis = UnixMillis(1_700_000_000_000);

fn pending() -> DeviceAuthorization {
    DeviceAuthorization::start(
        SfId::generate(crate::ids::KeyPrefix::ConnectedApp),
        ScopeSet::new(),
        T0,
    )
    .record
}

#[test]
fn user_codes_use_the_base_20_alphabet_and_display_with_a_dash() {
    for _ in 0..200 {
        let code = new_user_code();
        assert_eq!(code.len(), USER_CODE_LEN);
        assert!(
            code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)),
            "{code}"
        );
        let shown = display_user_code(&code);
        assert_eq!(shown.len(), 9);
        assert_eq!(&shown[4..5], "-");
        assert_eq!(normalize_user_code(&shown).as_deref(), Some(code.as_str()));
    }
}

#[test]
fn typed_codes_ignore_case_dashes_and_spaces() {
    assert_eq!(
        normalize_user_code("bcdf-ghjk").as_deref(),
        Some("BCDFGHJK")
    );
    assert_eq!(
        normalize_user_code(" BcDf ghJK ").as_deref(),
        Some("BCDFGHJK")
    );
    for bad in [
        "",
        "BCDF-GHJ",
        "BCDF-GHJKL",
        "ABCD-EFGH",
        "BCDF-GHJ1",
        "BCDF–GHJK",
    ] {
        assert_eq!(normalize_user_code(bad), None, "{bad}");
    }
}

#[test]
fn user_codes_are_drawn_evenly() {
    let mut counts = [0u32; 20];
    for _ in 0..2_000 {
        for b in new_user_code().bytes() {
            let i = USER_CODE_ALPHABET.iter().position(|a| *a == b).unwrap_or(0);
            counts[i] += 1;
        }
    }
    // 16,000 letters: 800 expected per letter; a biased draw would skew some by far more.
    assert!(
        counts.iter().all(|c| (600..=1000).contains(c)),
        "{counts:?}"
    );
}

#[test]
fn the_guess_budget_keeps_a_success_below_2_pow_minus_32() {
    // RFC 8628 §5.1's worked example: the attempts a code can get within its lifetime,
    // over the number of codes, must stay below 2^-32.
    let codes = 20f64.powi(i32::try_from(USER_CODE_LEN).unwrap_or(0));
    let attempts = f64::from(MAX_WRONG_USER_CODES);
    assert!(attempts / codes < 2f64.powi(-32), "{}", attempts / codes);
    const {
        assert!(
            WRONG_CODE_LOCK_SECS >= DEVICE_CODE_SECS,
            "a lock outlives the codes it protects"
        );
    };
}

#[test]
fn device_codes_carry_at_least_128_bits() {
    let new = DeviceAuthorization::start(
        SfId::generate(crate::ids::KeyPrefix::ConnectedApp),
        ScopeSet::new(),
        T0,
    );
    assert!(new.device_code.len() * 6 >= 256, "{}", new.device_code);
    assert_eq!(new.record.expires_at, T0.plus_secs(600));
    assert_eq!(new.record.interval_secs, 5);
}

#[test]
fn polls_follow_the_state_machine() {
    let mut auth = pending();
    assert_eq!(
        auth.poll(T0),
        PollOutcome::Pending,
        "the first poll is never too early"
    );
    auth.last_polled_at = Some(T0);
    assert_eq!(
        auth.poll(T0.plus_secs(4)),
        PollOutcome::SlowDown { interval_secs: 10 }
    );
    assert_eq!(auth.poll(T0.plus_secs(5)), PollOutcome::Pending);
    auth.interval_secs = 10;
    assert_eq!(
        auth.poll(T0.plus_secs(9)),
        PollOutcome::SlowDown { interval_secs: 15 },
        "the interval keeps growing"
    );

    auth.status = DeviceStatus::Approved;
    assert_eq!(auth.poll(T0.plus_secs(1)), PollOutcome::Redeem);
    let code = |o: PollOutcome| match o {
        PollOutcome::Refused(e) => e.code,
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(code(auth.poll(T0.plus_secs(600))), ErrorCode::ExpiredToken);
    auth.status = DeviceStatus::Redeemed;
    assert_eq!(code(auth.poll(T0.plus_secs(1))), ErrorCode::InvalidGrant);
    auth.status = DeviceStatus::Denied;
    assert_eq!(code(auth.poll(T0.plus_secs(1))), ErrorCode::AccessDenied);
    assert_eq!(
        code(auth.poll(T0.plus_secs(900))),
        ErrorCode::AccessDenied,
        "a denial outlives expiry"
    );
    auth.status = DeviceStatus::Pending;
    assert_eq!(code(auth.poll(T0.plus_secs(600))), ErrorCode::ExpiredToken);
    assert!(!auth.awaits_decision(T0.plus_secs(600)));
    assert!(auth.awaits_decision(T0.plus_secs(599)));
}

#[test]
fn statuses_round_trip() {
    for s in [
        DeviceStatus::Pending,
        DeviceStatus::Approved,
        DeviceStatus::Denied,
        DeviceStatus::Redeemed,
    ] {
        assert_eq!(DeviceStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(DeviceStatus::parse("bogus"), None);
}

#[test]
fn wrong_codes_slow_down_then_lock() {
    let mut guesses = CodeGuesses::default();
    assert_eq!(guesses.delay_millis(), 0);
    guesses.failures = 3;
    assert_eq!(guesses.delay_millis(), 500);
    guesses.failures = 9;
    assert_eq!(guesses.delay_millis(), 2000);
    assert!(!guesses.is_locked(T0));
    guesses.locked_until = Some(T0.plus_secs(WRONG_CODE_LOCK_SECS));
    assert!(guesses.is_locked(T0));
    assert!(!guesses.is_locked(T0.plus_secs(WRONG_CODE_LOCK_SECS)));
}
